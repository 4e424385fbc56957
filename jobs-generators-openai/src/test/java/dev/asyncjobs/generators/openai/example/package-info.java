/** The worked example of docs/writing-a-generator.md, compiled and tested by the build. */
@NullMarked
package dev.asyncjobs.generators.openai.example;

import org.jspecify.annotations.NullMarked;
