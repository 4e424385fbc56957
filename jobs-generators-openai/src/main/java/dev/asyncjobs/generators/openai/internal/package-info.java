/**
 * Implementation of the OpenAI generators: request building, the abortable call runner, error
 * mapping, image sizes and the structured-output replies. Not an API: it may change in any release.
 */
@NullMarked
package dev.asyncjobs.generators.openai.internal;

import org.jspecify.annotations.NullMarked;
