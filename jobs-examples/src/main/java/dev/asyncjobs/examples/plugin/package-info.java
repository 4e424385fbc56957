/**
 * A plugin: a custom generator found through {@code META-INF/services/dev.asyncjobs.GeneratorProvider},
 * the way a third-party jar adds job types without any wiring in the host.
 */
@NullMarked
package dev.asyncjobs.examples.plugin;

import org.jspecify.annotations.NullMarked;
