/**
 * The HTTP layer of the example: the JSON API with JWT authentication, problem+json errors and a
 * Server-Sent Events stream, on Javalin.
 */
@NullMarked
package dev.asyncjobs.examples.http;

import org.jspecify.annotations.NullMarked;
