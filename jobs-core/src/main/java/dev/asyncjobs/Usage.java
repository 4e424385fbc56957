package dev.asyncjobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What attempts consumed from providers, by model and unit: input and output tokens, images,
 * seconds of audio or video. Immutable; quantities are exact decimals, never negative, and a
 * quantity of zero is not kept. Usages add up with {@link #plus}: an attempt's reports, a job's
 * attempts, an owner's jobs.
 *
 * <pre>{@code
 * context.reportUsage(Usage.of("gpt-4o-mini").inputTokens(812).outputTokens(240).build());
 * }</pre>
 *
 * <p>As JSON (on a job, over HTTP): {@code {"gpt-4o-mini":{"input_tokens":812,"output_tokens":240}}}.
 */
public final class Usage {
  /** Nothing consumed. */
  public static final Usage NONE = new Usage(new TreeMap<>());

  /** The most models one job's usage names ({@link #requireStorable()}). */
  public static final int MAX_MODELS = 32;

  private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}");
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  /** What is counted. */
  public enum Unit {
    /** Tokens sent to the model (prompt, context, images read). */
    INPUT_TOKENS("input_tokens"),
    /** Tokens the model produced. */
    OUTPUT_TOKENS("output_tokens"),
    /** Images produced. */
    IMAGES("images"),
    /** Seconds of audio or video produced or read. */
    SECONDS("seconds");

    private final String jsonName;

    Unit(String jsonName) {
      this.jsonName = jsonName;
    }

    /** {@return the unit's name in JSON, e.g. {@code input_tokens}} */
    public String jsonName() {
      return jsonName;
    }

    /**
     * {@return the unit of a JSON name}
     *
     * @param name e.g. {@code output_tokens}
     * @throws InvalidRequestException no unit has that name
     */
    public static Unit ofJsonName(String name) {
      for (Unit u : values()) {
        if (u.jsonName.equals(name)) {
          return u;
        }
      }
      throw new InvalidRequestException("usage", "unknown usage unit '" + name
          + "'; expected input_tokens, output_tokens, images or seconds");
    }
  }

  private final SortedMap<String, Map<Unit, BigDecimal>> byModel;

  private Usage(SortedMap<String, Map<Unit, BigDecimal>> byModel) {
    this.byModel = byModel;
  }

  /**
   * Starts the usage of one model.
   *
   * @param model the provider's model name, e.g. {@code gpt-image-1}: 1–100 of {@code A-Z a-z 0-9 .
   *     _ : / @ + -}, starting with a letter or digit
   * @return a builder
   * @throws InvalidRequestException the model name is not one
   */
  public static Builder of(String model) {
    return new Builder(checkModel(model));
  }

  private static String checkModel(@org.jspecify.annotations.Nullable String model) {
    if (model == null || !MODEL.matcher(model).matches()) {
      throw new InvalidRequestException("usage", "a usage's model must be 1-100 characters of A-Z a-z 0-9 . _ : / @ + -"
          + " starting with a letter or digit, was " + (model == null ? "null" : "'" + model + "'"));
    }
    return model;
  }

  /** {@return whether nothing was consumed} */
  public boolean isEmpty() {
    return byModel.isEmpty();
  }

  /** {@return the quantities by model (in name order) and unit; only non-zero ones} */
  public Map<String, Map<Unit, BigDecimal>> byModel() {
    return Collections.unmodifiableSortedMap(byModel);
  }

  /**
   * {@return the quantity of {@code unit} that {@code model} consumed, zero when none}
   *
   * @param model the model
   * @param unit the unit
   */
  public BigDecimal amount(String model, Unit unit) {
    Map<Unit, BigDecimal> units = byModel.get(model);
    BigDecimal v = units == null ? null : units.get(unit);
    return v == null ? BigDecimal.ZERO : v;
  }

  /**
   * {@return the quantity of {@code unit} over every model}
   *
   * @param unit the unit
   */
  public BigDecimal total(Unit unit) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Map<Unit, BigDecimal> units : byModel.values()) {
      BigDecimal v = units.get(unit);
      if (v != null) {
        sum = sum.add(v);
      }
    }
    return sum;
  }

  /**
   * {@return this usage and {@code other} added up} Sums are not capped (a report over many
   * owners may name many models); what one job keeps is, by its store ({@link #MAX_MODELS}).
   *
   * @param other another usage
   */
  public Usage plus(Usage other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    SortedMap<String, Map<Unit, BigDecimal>> sum = new TreeMap<>();
    byModel.forEach((m, u) -> sum.put(m, new EnumMap<>(u)));
    other.byModel.forEach((m, u) -> {
      Map<Unit, BigDecimal> into = sum.computeIfAbsent(m, k -> new EnumMap<>(Unit.class));
      u.forEach((unit, v) -> into.merge(unit, v, BigDecimal::add));
    });
    return freeze(sum);
  }

  /**
   * {@return this usage, if it names at most {@link #MAX_MODELS} models: what one job may keep}
   *
   * @throws InvalidRequestException it names more
   */
  public Usage requireStorable() {
    if (byModel.size() > MAX_MODELS) {
      throw new InvalidRequestException("usage", "a job's usage names at most " + MAX_MODELS + " models, this one "
          + byModel.size());
    }
    return this;
  }

  private static Usage freeze(SortedMap<String, Map<Unit, BigDecimal>> models) {
    SortedMap<String, Map<Unit, BigDecimal>> frozen = new TreeMap<>();
    models.forEach((m, units) -> {
      Map<Unit, BigDecimal> kept = new EnumMap<>(Unit.class);
      units.forEach((unit, v) -> {
        if (v.signum() != 0) {
          kept.put(unit, normalized(v));
        }
      });
      if (!kept.isEmpty()) {
        frozen.put(m, Collections.unmodifiableMap(kept));
      }
    });
    return frozen.isEmpty() ? NONE : new Usage(frozen);
  }

  /** Trailing zeros off, but never an exponent: 100 stays 100, 1.50 becomes 1.5. */
  private static BigDecimal normalized(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

  /** {@return this usage as JSON: an object of models, each an object of units and quantities} */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    byModel.forEach((m, units) -> {
      ObjectNode node = root.putObject(m);
      units.forEach((unit, v) -> node.put(unit.jsonName(), v));
    });
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a usage could not be written as JSON", e);
    }
  }

  /**
   * Reads what {@link #toJson()} writes.
   *
   * @param json an object of models, each an object of unit names and non-negative numbers
   * @return the usage
   * @throws InvalidRequestException the text is not such an object (the field is {@code usage})
   */
  public static Usage fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("usage", "usage is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException("usage", "usage must be a JSON object of models");
    }
    SortedMap<String, Map<Unit, BigDecimal>> models = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> model = it.next();
      if (!model.getValue().isObject()) {
        throw new InvalidRequestException("usage", "the usage of model '" + model.getKey() + "' must be an object of units");
      }
      Builder b = of(model.getKey());
      for (Iterator<Map.Entry<String, JsonNode>> u = model.getValue().fields(); u.hasNext(); ) {
        Map.Entry<String, JsonNode> unit = u.next();
        if (!unit.getValue().isNumber()) {
          throw new InvalidRequestException("usage", "usage " + model.getKey() + "." + unit.getKey() + " must be a number");
        }
        b.amount(Unit.ofJsonName(unit.getKey()), unit.getValue().decimalValue());
      }
      models.put(model.getKey(), b.units);
    }
    return freeze(models).requireStorable();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Usage u && byModel.equals(u.byModel);
  }

  @Override
  public int hashCode() {
    return byModel.hashCode();
  }

  @Override
  public String toString() {
    return "Usage" + toJson();
  }

  /** The usage of one model, added up unit by unit. */
  public static final class Builder {
    private final String model;
    private final Map<Unit, BigDecimal> units = new EnumMap<>(Unit.class);

    private Builder(String model) {
      this.model = model;
    }

    /**
     * Adds input tokens.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder inputTokens(long n) {
      return amount(Unit.INPUT_TOKENS, BigDecimal.valueOf(n));
    }

    /**
     * Adds output tokens.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder outputTokens(long n) {
      return amount(Unit.OUTPUT_TOKENS, BigDecimal.valueOf(n));
    }

    /**
     * Adds images.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder images(long n) {
      return amount(Unit.IMAGES, BigDecimal.valueOf(n));
    }

    /**
     * Adds seconds of audio or video.
     *
     * @param seconds at least 0, e.g. {@code new BigDecimal("12.5")}
     * @return this builder
     */
    public Builder seconds(BigDecimal seconds) {
      return amount(Unit.SECONDS, seconds);
    }

    /**
     * Adds a quantity of any unit.
     *
     * @param unit the unit
     * @param quantity at least 0
     * @return this builder
     * @throws InvalidRequestException the quantity is negative
     */
    public Builder amount(Unit unit, BigDecimal quantity) {
      Objects.requireNonNull(unit, "unit");
      Objects.requireNonNull(quantity, "quantity");
      if (quantity.signum() < 0) {
        throw new InvalidRequestException("usage", "usage " + model + "." + unit.jsonName() + " must not be negative, was "
            + quantity.toPlainString());
      }
      units.merge(unit, quantity, BigDecimal::add);
      return this;
    }

    /** {@return the usage of this model} */
    public Usage build() {
      SortedMap<String, Map<Unit, BigDecimal>> one = new TreeMap<>();
      one.put(model, units);
      return freeze(one);
    }
  }
}
