package dev.asyncjobs.opentelemetry.internal;

import dev.asyncjobs.JobRequest;
import dev.asyncjobs.opentelemetry.JobSpans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Map;

/**
 * Stores the creating code's trace context with each new job. With create spans on, each request
 * gets a PRODUCER span {@code create <type>} (child of the caller's span, or a new trace) whose
 * context is the one stored, ended before the request goes on to be checked and stored: the
 * interceptor has no hook after a refused create, so a span still open then would never end.
 */
public final class CreateTracing {
  private final Tracer tracer;
  private final MetadataCarrier carrier;
  private final boolean createSpans;
  private final boolean recordOwner;

  /**
   * @param createSpans whether each create gets a span of its own (else the caller's context is stored)
   * @param recordOwner whether the owner id goes on the create span
   */
  public CreateTracing(Tracer tracer, MetadataCarrier carrier, boolean createSpans, boolean recordOwner) {
    this.tracer = tracer;
    this.carrier = carrier;
    this.createSpans = createSpans;
    this.recordOwner = recordOwner;
  }

  /** {@return the request with the trace context in its metadata} Unchanged when it carries a context already. */
  public JobRequest beforeCreate(JobRequest request) {
    if (carrier.carriesContext(request.metadata())) {
      // The caller chose the creation context (messaging conventions: keep it, make no create span).
      return request;
    }
    Context caller = Context.current();
    if (!createSpans) {
      return withFields(request, caller);
    }
    SpanBuilder builder = tracer.spanBuilder(JobSpans.CREATE_SPAN_PREFIX + request.type())
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(caller)
        .setAttribute(JobSpans.MESSAGING_SYSTEM, JobSpans.SYSTEM)
        .setAttribute(JobSpans.MESSAGING_OPERATION_TYPE, "create")
        .setAttribute(JobSpans.MESSAGING_OPERATION_NAME, "create")
        .setAttribute(JobSpans.MESSAGING_DESTINATION_NAME, request.type())
        .setAttribute(JobSpans.JOB_TYPE, request.type());
    if (recordOwner) {
      builder.setAttribute(JobSpans.JOB_OWNER, request.ownerId());
    }
    Span create = builder.startSpan();
    try {
      return withFields(request, caller.with(create));
    } finally {
      create.end();
    }
  }

  private JobRequest withFields(JobRequest request, Context context) {
    Map<String, String> fields = carrier.fields(context, request.metadata());
    if (fields.isEmpty()) {
      return request;
    }
    JobRequest.Builder b = request.toBuilder();
    fields.forEach(b::metadata);
    return b.build();
  }
}
