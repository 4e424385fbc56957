package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every attempt's streamed output written together: one store call per round, each attempt in order. */
class OutputWriterTest {
  private final FakeStore store = new FakeStore();
  private final List<Lease> leases = store.claimLeases(3, "w1");
  private final AtomicReference<@Nullable RuntimeException> deferredFailure = new AtomicReference<>();
  // Rounds are run by the test (round()); the thread is never started, so nothing runs by itself.
  private final OutputWriter writer = new OutputWriter(store, TimeUnit.HOURS.toNanos(1));

  @AfterEach
  void close() {
    store.close();
  }

  private OutputBuffer buffer(Lease lease, boolean restarts) {
    return new OutputBuffer(store, lease, restarts, TimeUnit.MILLISECONDS.toNanos(100), 1 << 20, System::nanoTime, null,
        deferredFailure::set, writer);
  }

  /** The text each job's events carry, joined, in the order they were written. */
  private List<String> writtenBy(Lease lease) {
    List<String> out = new ArrayList<>();
    store.outputAppends.stream().filter(a -> a.lease().equals(lease))
        .forEach(a -> a.chunks().forEach(c -> out.add(c.kind() + ":" + c.data())));
    return out;
  }

  @Test
  void oneRoundWritesWhatEveryAttemptGatheredInOneStoreCall() {
    OutputBuffer a = buffer(leases.get(0), false);
    OutputBuffer b = buffer(leases.get(1), true);
    OutputBuffer quiet = buffer(leases.get(2), false);
    a.appendText("Once");
    a.appendText(" upon");
    b.emitPart("{\"scene\":1}");
    b.appendText("again");
    assertThat(store.outputAppends).as("nothing before the round").isEmpty();

    writer.round();

    assertThat(store.outputBatchSizes).containsExactly(2);
    assertThat(writtenBy(leases.get(0))).containsExactly("TEXT_DELTA:Once upon");
    assertThat(writtenBy(leases.get(1))).containsExactly("OUTPUT_RESTARTED:", "OUTPUT_PART:{\"scene\":1}", "TEXT_DELTA:again");
    writer.round();
    assertThat(store.outputBatchSizes).as("an empty round writes nothing").containsExactly(2);
    a.appendText(" a time");
    quiet.close();
    writer.round();
    assertThat(store.outputBatchSizes).containsExactly(2, 1);
    assertThat(writtenBy(leases.get(0))).containsExactly("TEXT_DELTA:Once upon", "TEXT_DELTA: a time");
  }

  @Test
  void theFinalFlushWritesTheRestByItselfAfterTheRound() {
    OutputBuffer a = buffer(leases.get(0), false);
    a.appendText("gathered");
    writer.round();
    a.appendText(" and the rest");
    a.flush();
    a.close();
    assertThat(writtenBy(leases.get(0))).containsExactly("TEXT_DELTA:gathered", "TEXT_DELTA: and the rest");
  }

  @Test
  void aStoreFailureKeepsThePiecesInOrderForTheNextRound() {
    OutputBuffer b = buffer(leases.get(1), true);
    b.appendText("kept ");
    store.failNext("appendOutputAll", new JobStoreException("connection reset", "08006", null));
    writer.round();
    assertThat(store.outputAppends).isEmpty();
    b.appendText("then more");
    writer.round();
    assertThat(writtenBy(leases.get(1))).containsExactly("OUTPUT_RESTARTED:", "TEXT_DELTA:kept then more");
  }

  @Test
  void aLostLeaseIsReportedAndTheGeneratorLearnsAtItsNextPiece() {
    OutputBuffer a = buffer(leases.get(0), false);
    a.appendText("before");
    store.complete(new Completion(leases.get(0), "{}", Duration.ZERO)); // someone else ended the attempt
    writer.round();
    assertThat(deferredFailure.get()).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> a.appendText("after")).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(a::flush).isInstanceOf(LeaseLostException.class);
    assertThat(store.outputAppends).isEmpty();
  }
}
