package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One image of a result.
 *
 * @param url OpenAI's URL of the image, when it answered with one (it expires after about an hour)
 * @param revisedPrompt the prompt as the model rewrote it, when it says
 * @param stored where the image's bytes were kept, when an {@link ArtifactStore} is configured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GeneratedImage(@Nullable String url, @Nullable String revisedPrompt, @Nullable StoredArtifact stored) {}
