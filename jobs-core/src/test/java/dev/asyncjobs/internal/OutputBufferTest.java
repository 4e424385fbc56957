package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.OutputTooLargeException;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Output coalescing: few store writes, every piece once, in order, bounded. */
class OutputBufferTest {
  private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);

  private final FakeStore store = new FakeStore();
  private final Lease lease = store.claimLeases(1, "w1").get(0);
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ManualTimer timer = new ManualTimer();
  private final AtomicReference<@Nullable RuntimeException> deferredFailure = new AtomicReference<>();

  @AfterEach
  void close() {
    timer.shutdownNow();
    store.close();
  }

  private OutputBuffer buffer(boolean restarts, long maxBytes) {
    return new OutputBuffer(store, lease, restarts, INTERVAL, maxBytes, now::get, timer, deferredFailure::set, null);
  }

  /** Every write, as its chunks "KIND:data". */
  private List<List<String>> writes() {
    return store.outputAppends.stream()
        .map(a -> a.chunks().stream().map(c -> c.kind() + ":" + c.data()).toList()).toList();
  }

  @Test
  void theFirstPieceIsWrittenAtOnceAndTheRestOfTheIntervalInOneWriteWithDeltasJoined() {
    OutputBuffer out = buffer(false, 1 << 20);
    out.appendText("Once");
    assertThat(writes()).containsExactly(List.of("TEXT_DELTA:Once"));
    for (String t : List.of(" upon", " a", " time")) {
      out.appendText(t);
    }
    out.emitPart("{\"scene\":1}");
    out.appendText(" there");
    assertThat(writes()).as("nothing more within the interval").hasSize(1);
    assertThat(timer.pending()).isEqualTo(1);

    now.addAndGet(INTERVAL);
    timer.runPending();
    assertThat(writes()).containsExactly(
        List.of("TEXT_DELTA:Once"),
        List.of("TEXT_DELTA: upon a time", "OUTPUT_PART:{\"scene\":1}", "TEXT_DELTA: there"));
  }

  @Test
  void aLargePendingPieceIsWrittenAtOnceWhateverTheInterval() {
    OutputBuffer out = buffer(false, 1 << 20);
    out.appendText("first");
    String big = "x".repeat(OutputBuffer.FLUSH_BYTES);
    out.appendText(big);
    assertThat(writes()).hasSize(2);
    assertThat(writes().get(1)).containsExactly("TEXT_DELTA:" + big);
  }

  @Test
  void aRetriedAttemptsFirstWriteStartsWithTheRestartMarker() {
    OutputBuffer out = buffer(true, 1 << 20);
    out.appendText("again");
    now.addAndGet(INTERVAL);
    out.appendText(" and again");
    assertThat(writes()).containsExactly(List.of("OUTPUT_RESTARTED:", "TEXT_DELTA:again"), List.of("TEXT_DELTA: and again"));
  }

  @Test
  void aPiecePastTheLimitIsRefusedAndNothingOfItIsKept() {
    OutputBuffer out = buffer(false, 10);
    out.appendText("12345");
    out.appendText("67890");
    assertThatThrownBy(() -> out.appendText("!"))
        .isInstanceOfSatisfying(OutputTooLargeException.class, e -> {
          assertThat(e.limitBytes()).isEqualTo(10);
          assertThat(e.code()).isEqualTo("output_too_large");
          assertThat(e.getMessage()).contains("11 bytes, over the limit of 10 bytes");
        });
    // multi-byte text counts in UTF-8 bytes: "é" is two
    OutputBuffer utf8 = buffer(false, 3);
    utf8.appendText("\u00e9");
    assertThatThrownBy(() -> utf8.appendText("\u00e9")).isInstanceOf(OutputTooLargeException.class);
    out.flush();
    assertThat(writes()).as("every piece within the limits, each buffer's first at once")
        .containsExactly(List.of("TEXT_DELTA:12345"), List.of("TEXT_DELTA:\u00e9"), List.of("TEXT_DELTA:67890"));
  }

  @Test
  void aStoreHiccupKeepsThePiecesForTheNextWriteInOrder() {
    OutputBuffer out = buffer(false, 1 << 20);
    store.failNext("appendOutput", new JobStoreException("connection reset", "08006", null));
    out.appendText("kept ");
    assertThat(writes()).as("refused").isEmpty();
    now.addAndGet(INTERVAL);
    out.appendText("and sent");
    assertThat(writes()).containsExactly(List.of("TEXT_DELTA:kept and sent"));
  }

  @Test
  void aLostLeaseReachesTheGeneratorAndATimedWriteReportsIt() {
    OutputBuffer out = buffer(false, 1 << 20);
    out.appendText("before");
    out.appendText(" pending");
    store.complete(new Completion(lease, "{}", Duration.ZERO)); // someone else finished the attempt
    now.addAndGet(INTERVAL);
    timer.runPending();
    assertThat(deferredFailure.get()).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> out.appendText("after")).isInstanceOf(LeaseLostException.class);
    assertThat(writes()).containsExactly(List.of("TEXT_DELTA:before"));
  }

  @Test
  void afterTheAttemptNothingMoreIsTaken() {
    OutputBuffer out = buffer(false, 1 << 20);
    out.close();
    assertThatThrownBy(() -> out.appendText("late")).isInstanceOf(IllegalStateException.class).hasMessageContaining("is over");
    assertThat(new OutputAppend(lease, List.of(OutputChunk.text("x"))).chunks()).hasSize(1);
    assertThatThrownBy(() -> new OutputAppend(lease, List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OutputChunk(dev.asyncjobs.JobEvent.Kind.PROGRESS, "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
