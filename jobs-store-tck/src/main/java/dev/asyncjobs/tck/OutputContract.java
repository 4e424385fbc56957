package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code appendOutput}: an attempt's partial output, as events of the log, under the lease. */
public interface OutputContract extends EventLogContract {

  /** Output chunks become events of their kinds, in order, with their data, and change nothing of the job. */
  @Test
  default void outputChunksBecomeEventsInOrderWithTheirDataAndLeaveTheJobAsItWas() {
    Job claimed = processing(job().type("streamed"));
    long start = head();
    clock().advance(Duration.ofSeconds(2));
    store().appendOutput(new OutputAppend(lease(claimed), List.of(
        OutputChunk.text("Once upon "), OutputChunk.part("{\"scene\":1,\"title\":\"Dawn \\u00e9\"}"),
        OutputChunk.text("a time \u6f22\u5b57 \ud83d\ude00"))));
    store().appendOutput(new OutputAppend(lease(claimed), List.of(OutputChunk.text(" there was"))));

    List<JobEvent> events = allEventsAfter(null, start, 4);
    assertThat(events).extracting(JobEvent::kind).containsExactly(
        JobEvent.Kind.TEXT_DELTA, JobEvent.Kind.OUTPUT_PART, JobEvent.Kind.TEXT_DELTA, JobEvent.Kind.TEXT_DELTA);
    assertThat(events).extracting(JobEvent::data).containsExactly(
        "Once upon ", "{\"scene\":1,\"title\":\"Dawn \\u00e9\"}", "a time \u6f22\u5b57 \ud83d\ude00", " there was");
    assertThat(events).allSatisfy(e -> {
      assertThat(e.jobId()).isEqualTo(claimed.id());
      assertThat(e.ownerId()).isEqualTo(claimed.ownerId());
      assertThat(e.status()).isEqualTo(JobStatus.PROCESSING);
      assertThat(e.attempt()).isEqualTo(1);
      assertThat(e.at()).isEqualTo(clock().instant());
    });
    assertSameJob(reload(claimed.id()), claimed);
  }

  /** Several attempts' output in one call: each job's chunks in order, a lost lease skipped and reported. */
  @Test
  default void severalAttemptsOutputIsAppendedInOneCallAndALostLeaseIsSkipped() {
    Job a = processing(job().type("batch_a"));
    Job b = processing(job().type("batch_b"));
    Job gone = processing(job().type("batch_gone"));
    store().complete(new Completion(lease(gone), "{}", Duration.ofSeconds(1)));
    long start = head();

    java.util.Set<java.util.UUID> lost = store().appendOutputAll(List.of(
        new OutputAppend(lease(a), List.of(OutputChunk.text("a1"), OutputChunk.part("{\"n\":1}"))),
        new OutputAppend(lease(gone), List.of(OutputChunk.text("late"))),
        new OutputAppend(lease(b), List.of(OutputChunk.restarted(), OutputChunk.text("b1")))));

    assertThat(lost).containsExactly(gone.id());
    List<JobEvent> events = allEventsAfter(null, start, 4);
    assertThat(events).hasSize(4);
    assertThat(events.stream().filter(e -> e.jobId().equals(a.id())).map(JobEvent::data)).containsExactly("a1", "{\"n\":1}");
    assertThat(events.stream().filter(e -> e.jobId().equals(b.id())).map(JobEvent::kind))
        .containsExactly(JobEvent.Kind.OUTPUT_RESTARTED, JobEvent.Kind.TEXT_DELTA);
    assertThat(events).noneMatch(e -> e.jobId().equals(gone.id()));
    assertThat(store().appendOutputAll(List.of())).isEmpty();
  }

  /** A restart marker carries no data. */
  @Test
  default void aRestartMarkerCarriesNoData() {
    Job claimed = processing(job().type("restarted"));
    long start = head();
    store().appendOutput(new OutputAppend(lease(claimed), List.of(OutputChunk.restarted(), OutputChunk.text("again"))));
    List<JobEvent> events = allEventsAfter(null, start, 2);
    assertThat(events).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.OUTPUT_RESTARTED, JobEvent.Kind.TEXT_DELTA);
    assertThat(events.get(0).data()).isNull();
  }

  /** Output under a lease the worker no longer holds is refused and appends nothing. */
  @Test
  default void outputUnderALostLeaseIsRefusedAndAppendsNothing() {
    Job claimed = processing(job().type("fenced_output"));
    Job done = store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));
    long start = head();
    for (Lease stale : List.of(lease(claimed), new Lease(claimed.id(), OTHER_WORKER, 1), new Lease(claimed.id(), WORKER, 2))) {
      assertThatThrownBy(() -> store().appendOutput(new OutputAppend(stale, List.of(OutputChunk.text("late")))))
          .as("lease %s", stale).isInstanceOf(LeaseLostException.class);
    }
    Job other = processing(job().type("fenced_output_other"));
    assertThatThrownBy(() -> store().appendOutput(new OutputAppend(new Lease(other.id(), OTHER_WORKER, 1), List.of(OutputChunk.text("x")))))
        .isInstanceOf(LeaseLostException.class);
    store().appendOutput(new OutputAppend(lease(other), List.of(OutputChunk.text("marker"))));
    // other's CREATED and STARTED, then the marker: nothing of the refused appends in between
    List<JobEvent> after = allEventsAfter(null, start, 3);
    assertThat(after).extracting(JobEvent::kind)
        .containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.STARTED, JobEvent.Kind.TEXT_DELTA);
    assertThat(after.get(2).data()).isEqualTo("marker");
    assertSameJob(reload(done.id()), done);
  }

  /** A read of one job's events returns only that job's, and an owner's subscription gets its output live. */
  @Test
  default void oneJobsEventsAreReadAloneAndItsOwnersSubscriptionGetsTheOutputLive() {
    Job mine = processing(job().type("mine_streamed"));
    Job theirs = processing(job().owner(OTHER_OWNER).type("theirs_streamed"));
    EventRecorder owners = new EventRecorder();
    EventRecorder others = new EventRecorder();
    try (Subscription s = store().subscribe(EventSubscription.owner(OWNER), owners);
        Subscription t = store().subscribe(EventSubscription.owner(OTHER_OWNER), others)) {
      store().appendOutput(new OutputAppend(lease(theirs), List.of(OutputChunk.text("theirs"))));
      store().appendOutput(new OutputAppend(lease(mine), List.of(OutputChunk.text("mine"))));
      owners.await(e -> e.kind() == JobEvent.Kind.TEXT_DELTA, AWAIT, "my delta");
      others.await(e -> e.kind() == JobEvent.Kind.TEXT_DELTA, AWAIT, "their delta");
      assertThat(owners.events()).extracting(JobEvent::data).containsExactly("mine");
      assertThat(others.events()).extracting(JobEvent::data).containsExactly("theirs");
    }
    List<JobEvent> ofMine = store().readEvents(EventQuery.job(OWNER, mine.id(), 0, 100));
    assertThat(ofMine).extracting(JobEvent::jobId).containsOnly(mine.id());
    assertThat(ofMine).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.STARTED, JobEvent.Kind.TEXT_DELTA);
    assertThat(store().readEvents(EventQuery.job(OTHER_OWNER, mine.id(), 0, 100))).as("another owner's job").isEmpty();
  }
}
