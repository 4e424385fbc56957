package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What the six generators share: the payload is checked into a plan (the same check at create time
 * and before each attempt), the prompt is what the moderator sees, and the work runs between the
 * {@code validated} and {@code post-processed} progress reports. Each calls one configured model,
 * which is its one resource ({@code openai:<model>}), never a model named by the payload.
 *
 * @param <P> the payload record
 * @param <L> the checked plan
 */
abstract class PlannedGenerator<P, L> extends AbstractGenerator<P> {
  private final Function<P, String> prompt;
  private final Set<String> resources;

  PlannedGenerator(JobType<P> type, Function<P, String> prompt, String model) {
    super(type);
    this.prompt = prompt;
    this.resources = Limits.resources(model);
  }

  /** {@return {@code openai:<model>}: OpenAI limits each model on its own, so a limit per model fits} */
  @Override
  public final Set<String> resources() {
    return resources;
  }

  /**
   * Checks a payload and resolves its defaults.
   *
   * @throws dev.asyncjobs.InvalidPayloadException naming the field
   */
  abstract L plan(P payload);

  /** Calls OpenAI and builds the result; reports the stages between validation and post-processing. */
  abstract Object run(L plan, JobContext context);

  @Override
  public final void validate(P payload) {
    plan(payload);
  }

  @Override
  public List<String> moderationText(P payload) {
    return List.of(prompt.apply(payload));
  }

  @Override
  public final Object generate(P payload, JobContext context) {
    L plan = plan(payload);
    context.progress(Stages.VALIDATED, "validated");
    Object result = run(plan, context);
    context.progress(Stages.POST_PROCESSED, "post-processed");
    return result;
  }
}
