package dev.asyncjobs;

import java.util.Set;
import java.util.TreeSet;

/** No generator is registered for the requested type (HTTP 400). */
public class UnknownJobTypeException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;
  /** The type asked for. */
  private final String type;
  /** The types that are registered. */
  private final Set<String> knownTypes;

  /**
   * {@code type} is not among {@code knownTypes}.
   *
   * @param type the type asked for
   * @param knownTypes the types that are registered
   */
  public UnknownJobTypeException(String type, Set<String> knownTypes) {
    super("type", "unknown job type '" + abbreviate(type) + "'; known types: " + new TreeSet<>(knownTypes));
    this.type = type;
    this.knownTypes = Set.copyOf(knownTypes);
  }

  /** The type as the message shows it: a caller's 100,000-character type is not repeated back whole. */
  private static String abbreviate(String type) {
    return type.length() <= 100 ? type : type.substring(0, 100) + "… (" + type.length() + " characters)";
  }

  /** {@return the type asked for} */
  public String type() {
    return type;
  }

  /** {@return the types that are registered} */
  public Set<String> knownTypes() {
    return knownTypes;
  }

  @Override
  public String code() {
    return "unknown_type";
  }
}
