/** The worked example of the README's "Writing your own generator", compiled and tested by the build. */
@NullMarked
package dev.asyncjobs.generators.openai.example;

import org.jspecify.annotations.NullMarked;
