package dev.asyncjobs;

import java.util.Objects;

/**
 * A {@link Generator} whose type and payload class come from one {@link JobType}, so that a
 * generator does not repeat {@link #type()} and {@link #payloadType()}:
 *
 * <pre>{@code
 * public final class HaikuGenerator extends AbstractGenerator<Haiku> {
 *   public static final JobType<Haiku> TYPE = JobType.of("haiku", Haiku.class);
 *
 *   public HaikuGenerator() {
 *     super(TYPE);
 *   }
 *
 *   @Override
 *   public Object generate(Haiku payload, JobContext context) { ... }
 * }
 * }</pre>
 *
 * <p>Implementing {@link Generator} directly stays possible for generators that need another base
 * class.
 *
 * @param <P> the payload type
 */
public abstract class AbstractGenerator<P> implements Generator<P> {
  private final JobType<P> jobType;

  /**
   * A generator of {@code jobType}'s jobs.
   *
   * @param jobType the type this generator serves, with its payload class
   */
  protected AbstractGenerator(JobType<P> jobType) {
    this.jobType = Objects.requireNonNull(jobType, "jobType");
  }

  @Override
  public final String type() {
    return jobType.name();
  }

  @Override
  public final Class<P> payloadType() {
    return jobType.payloadType();
  }

  @Override
  public final JobType<P> jobType() {
    return jobType;
  }
}
