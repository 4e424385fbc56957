/** Generators for six AI job types (image, text, video storyboard, music sketch, 3D model spec, graphic) and OpenAI moderation, on openai-java. */
@NullMarked
package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.NullMarked;
