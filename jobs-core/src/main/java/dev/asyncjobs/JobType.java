package dev.asyncjobs;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A job type with the class of its payload: one constant shared by the generator that serves the
 * type and the code that creates its jobs, so that a create compiles against the payload record and
 * nobody writes JSON by hand.
 *
 * <pre>{@code
 * static final JobType<Haiku> HAIKU = JobType.of("haiku", Haiku.class);
 * jobs.create(JobRequest.of("alice", HAIKU, new Haiku("the sound of water")));
 * }</pre>
 *
 * <p>The string form ({@link JobRequest#builder(String, String)} with a JSON payload) stays for
 * dynamic callers, such as an HTTP API that receives the type and payload from a client.
 *
 * @param <P> the payload type
 */
public final class JobType<P> {
  /** 1–255 characters, none of them whitespace or control characters (the stored type's rule, plus no blanks). */
  private static final Pattern NAME = Pattern.compile("[^\\s\\p{Cntrl}]{1,255}");

  private final String name;
  private final Class<P> payloadType;

  private JobType(String name, Class<P> payloadType) {
    this.name = name;
    this.payloadType = payloadType;
  }

  /**
   * A job type.
   *
   * @param name the type's name, e.g. {@code image_generation}: 1–255 characters, no whitespace or
   *     control characters (lowercase and stable, by convention)
   * @param payloadType the class its JSON payload is read into (a record, typically)
   * @param <P> the payload type
   * @return the type
   * @throws JobConfigurationException a name outside those rules
   */
  public static <P> JobType<P> of(String name, Class<P> payloadType) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payloadType, "payloadType");
    if (!NAME.matcher(name).matches()) {
      throw new JobConfigurationException("a job type name is 1-255 characters without whitespace or control characters;"
          + " was '" + (name.length() > 60 ? name.substring(0, 60) + "…" : name) + "'");
    }
    return new JobType<>(name, payloadType);
  }

  /** {@return the type's name, as stored on every job of the type} */
  public String name() {
    return name;
  }

  /** {@return the class the payload is read into} */
  public Class<P> payloadType() {
    return payloadType;
  }

  /** Types are equal when their names and payload classes are. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof JobType<?> t && t.name.equals(name) && t.payloadType.equals(payloadType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, payloadType);
  }

  @Override
  public String toString() {
    return name + "<" + payloadType.getSimpleName() + ">";
  }
}
