/** The six generators of the mission and OpenAI moderation, on openai-java. */
@NullMarked
package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.NullMarked;
