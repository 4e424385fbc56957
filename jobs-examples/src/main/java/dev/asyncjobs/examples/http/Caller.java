package dev.asyncjobs.examples.http;

/**
 * Who a verified token speaks for.
 *
 * @param owner the job owner (the token's {@code sub})
 * @param operator whether the token carries the operator claim (see {@link TokenRules})
 */
public record Caller(String owner, boolean operator) {}
