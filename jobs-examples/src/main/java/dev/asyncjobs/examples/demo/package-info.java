/**
 * Offline demo generators for the six job types of the example application. Each reports progress over a few
 * seconds and returns a realistic, clearly labelled ({@code "demo": true}) result, without a key
 * or the network, so that the example runs anywhere.
 */
@NullMarked
package dev.asyncjobs.examples.demo;

import org.jspecify.annotations.NullMarked;
