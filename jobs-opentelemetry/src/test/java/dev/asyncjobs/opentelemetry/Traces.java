package dev.asyncjobs.opentelemetry;

import dev.asyncjobs.testing.Waits;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One "process" worth of OpenTelemetry for a test: an SDK whose finished spans land in an {@link
 * InMemorySpanExporter} and whose every span start and end is counted, so that a test can wait for
 * a span and then prove that no span was left open. Propagators: W3C trace context and baggage.
 */
final class Traces implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenSpans open = new OpenSpans();
  private final OpenTelemetrySdk sdk;

  Traces() {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(open)
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }

  OpenTelemetrySdk sdk() {
    return sdk;
  }

  /** {@return the spans that ended so far, in the order they ended} */
  List<SpanData> finished() {
    return exporter.getFinishedSpanItems();
  }

  /** Waits until a span that matches has ended, and returns it. */
  SpanData await(String what, Predicate<SpanData> wanted) {
    return awaitAll(what, 1, wanted).get(0);
  }

  /** Waits until {@code n} spans that match have ended, and returns them in the order they ended. */
  List<SpanData> awaitAll(String what, int n, Predicate<SpanData> wanted) {
    return Waits.untilValue(what, WAIT, () -> finished().stream().filter(wanted).toList(), l -> l.size() >= n);
  }

  /** The spans started and not ended, as "name (span id)": empty when none is left open. */
  List<String> openSpans() {
    return open.names();
  }

  /** Waits until every span started has ended (an outcome may be written on another thread just after a test's wait). */
  void awaitNoSpanOpen() {
    Waits.until("every span to end", WAIT, () -> open.names().isEmpty(), open::names);
  }

  /** Spans started and ended so far, counted by a {@link SpanProcessor}. */
  int started() {
    return open.started.size();
  }

  int ended() {
    return open.ended.size();
  }

  static Predicate<SpanData> named(String name) {
    return s -> s.getName().equals(name);
  }

  @Override
  public void close() {
    sdk.close();
  }

  /** Counts starts and ends by span id: an end without a start, or a second end, would show. */
  private static final class OpenSpans implements SpanProcessor {
    final Map<String, String> started = new ConcurrentHashMap<>();
    final Map<String, Integer> ended = new ConcurrentHashMap<>();

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      started.put(span.getSpanContext().getSpanId(), span.getName());
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.merge(span.getSpanContext().getSpanId(), 1, Integer::sum);
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    List<String> names() {
      List<String> out = new ArrayList<>();
      started.forEach((id, name) -> {
        Integer ends = ended.get(id);
        if (ends == null || ends != 1) {
          out.add(name + " (" + id + ", ended " + (ends == null ? 0 : ends) + " times)");
        }
      });
      ended.keySet().stream().filter(id -> !started.containsKey(id)).forEach(id -> out.add("ended, never started: " + id));
      return out;
    }
  }
}
