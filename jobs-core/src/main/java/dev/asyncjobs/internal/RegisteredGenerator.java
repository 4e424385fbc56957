package dev.asyncjobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.asyncjobs.Generator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A generator with its payload binding: reads a payload tree into the generator's payload type,
 * turning Jackson's errors into {@link InvalidPayloadException}s that name the field.
 *
 * @param <P> payload type
 */
public final class RegisteredGenerator<P> {
  private final Generator<P> generator;

  public RegisteredGenerator(Generator<P> generator) {
    this.generator = generator;
  }

  public Generator<P> generator() {
    return generator;
  }

  public String type() {
    return generator.type();
  }

  /** Reads and validates a payload: the same checks at create time and before each attempt. */
  public P bind(JsonNode payload) {
    P value;
    try {
      value = Json.mapper().treeToValue(payload, generator.payloadType());
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidPayloadException(
          fieldOf(e), "unknown field '" + e.getPropertyName() + "'; allowed fields: " + e.getKnownPropertyIds());
    } catch (InvalidFormatException e) {
      throw new InvalidPayloadException(
          fieldOf(e), "value " + e.getValue() + " cannot be read as " + e.getTargetType().getSimpleName());
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new InvalidPayloadException(fieldOf(e), "payload is invalid: " + cause.getMessage());
    } catch (MismatchedInputException e) {
      String target = e.getTargetType() == null ? "the expected type" : e.getTargetType().getSimpleName();
      throw new InvalidPayloadException(fieldOf(e), "wrong type for " + fieldOf(e) + ": expected " + target);
    } catch (JsonProcessingException e) {
      throw new InvalidPayloadException("payload", "payload is invalid: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("payload", "payload is invalid: " + e.getMessage());
    }
    if (value == null) {
      throw new InvalidPayloadException("payload", "payload must be a JSON object");
    }
    try {
      generator.validate(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("payload", String.valueOf(e.getMessage()));
    }
    return value;
  }

  public Duration estimate(P payload) {
    return generator.estimate(payload);
  }

  /** The units an attempt reserves under a units limit; refuses a negative estimate. */
  public long estimateUnits(P payload) {
    long units = generator.estimateUnits(payload);
    if (units < 0) {
      throw new dev.asyncjobs.JobConfigurationException(
          "generator of type '" + generator.type() + "' estimated " + units + " units; an estimate is at least 0");
    }
    return units;
  }

  /** What a job of {@code payload} is expected to consume; refuses a generator that answers null. */
  public dev.asyncjobs.Usage estimateUsage(P payload) {
    dev.asyncjobs.Usage u = generator.estimateUsage(payload);
    if (u == null) {
      throw new dev.asyncjobs.JobConfigurationException(
          "generator of type '" + generator.type() + "' estimated a null usage; return Usage.NONE for none");
    }
    return u;
  }

  public @Nullable List<String> moderationText(P payload) {
    return generator.moderationText(payload);
  }

  public Object generate(P payload, JobContext context) {
    return generator.generate(payload, context);
  }

  static String fieldOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder("payload");
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
