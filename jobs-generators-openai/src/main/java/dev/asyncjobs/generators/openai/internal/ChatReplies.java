package dev.asyncjobs.generators.openai.internal;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.completions.CompletionUsage;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.generators.openai.TokenUsage;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Checks shared by the chat-based generators: refusals, content filtering, token usage. */
final class ChatReplies {
  private ChatReplies() {}

  /** Refuses a reply the model declined to write or that OpenAI's filter stopped. */
  static void requireAnswered(String what, ChatCompletion.Choice.FinishReason finish, Optional<String> refusal) {
    if (refusal.isPresent() && !refusal.get().isBlank()) {
      throw new PermanentGenerationException(
          "the model refused the " + what + " (\"" + refusal.get().strip() + "\"). Rephrase the prompt and create a new job");
    }
    if (ChatCompletion.Choice.FinishReason.CONTENT_FILTER.equals(finish)) {
      throw new PermanentGenerationException(
          "OpenAI's content filter stopped the " + what + " (finish_reason content_filter). Rephrase the prompt and create a new job");
    }
  }

  /** Whether the model stopped at the token limit. */
  static boolean cutOff(ChatCompletion.Choice.FinishReason finish) {
    return ChatCompletion.Choice.FinishReason.LENGTH.equals(finish);
  }

  static @Nullable TokenUsage usage(Optional<CompletionUsage> usage) {
    return usage.map(u -> new TokenUsage(u.promptTokens(), u.completionTokens(), u.totalTokens())).orElse(null);
  }
}
