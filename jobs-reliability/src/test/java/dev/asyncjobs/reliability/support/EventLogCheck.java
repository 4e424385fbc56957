package dev.asyncjobs.reliability.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a subscription made before an outage or a crash must have received afterwards: exactly the
 * event log after its start position, in strictly increasing sequence order, none missing, none
 * twice, none that the database later took back.
 */
public final class EventLogCheck {
  private EventLogCheck() {}

  /** Events per page when the test reads the log itself. */
  private static final int LOG_PAGE = 1000;

  /**
   * Reads the log page by page from where {@code log} ends (or {@code startedAfter}) until a page is
   * short, appending to {@code log}; false when the read failed (the test's pool still replacing
   * connections that were terminated).
   */
  private static boolean readLogOn(PostgresJobStore store, List<JobEvent> log, long startedAfter) {
    try {
      while (true) {
        long position = log.isEmpty() ? startedAfter : log.get(log.size() - 1).sequence();
        List<JobEvent> page = store.readEvents(EventQuery.allOwners(position, LOG_PAGE));
        log.addAll(page);
        if (page.size() < LOG_PAGE) {
          return true;
        }
      }
    } catch (JobStoreException e) {
      return false;
    }
  }

  private static long lastSequence(List<JobEvent> events, long fallback) {
    return events.isEmpty() ? fallback : events.get(events.size() - 1).sequence();
  }

  /**
   * Waits until the recorder has received the log's last event (reading the log on as it goes).
   *
   * @return the log after {@code startedAfter}, as far as it was read
   */
  public static List<JobEvent> awaitCaughtUpWithTheLog(PostgresJobStore store, EventRecorder recorder, long startedAfter,
      Duration wait) {
    List<JobEvent> log = new ArrayList<>();
    Waits.until("the subscription caught up with the event log", wait,
        () -> readLogOn(store, log, startedAfter) && !log.isEmpty()
            && lastSequence(recorder.events(), startedAfter) >= lastSequence(log, startedAfter),
        () -> "log read up to #" + lastSequence(log, startedAfter) + " (" + log.size() + " events), recorder at #"
            + lastSequence(recorder.events(), startedAfter) + " (" + recorder.events().size() + " events)");
    return log;
  }

  /**
   * The recorder holds exactly the events {@code readEvents} returns after its start, page by page:
   * in strictly increasing sequence order, none missing, none twice, none altered.
   */
  public static void assertHoldsExactlyTheLog(String run, EventRecorder recorder, PostgresJobStore store, List<JobEvent> log,
      long startedAfter) {
    // whatever was appended since the catch-up (nothing should have been) is read too
    assertThat(readLogOn(store, log, startedAfter)).as("reading the rest of the log").isTrue();
    List<JobEvent> got = recorder.events();
    long last = lastSequence(got, startedAfter);
    List<JobEvent> expected = log.stream().filter(e -> e.sequence() <= last).collect(Collectors.toList());
    assertThat(log).as("the log read page by page").isNotEmpty();
    for (int i = 1; i < log.size(); i++) {
      assertThat(log.get(i).sequence()).as("log sequence after #%d", log.get(i - 1).sequence()).isGreaterThan(log.get(i - 1).sequence());
    }
    assertThat(got).as("events delivered").isNotEmpty();
    assertThat(got.get(0).sequence()).as("the first event delivered").isGreaterThan(startedAfter);
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).sequence()).as("sequence delivered after #%d (index %d)", got.get(i - 1).sequence(), i)
          .isGreaterThan(got.get(i - 1).sequence());
    }
    assertThat(got).extracting(JobEvent::sequence).as("sequences delivered, against the log's")
        .containsExactlyElementsOf(expected.stream().map(JobEvent::sequence).collect(Collectors.toList()));
    assertThat(got).as("events delivered, against the log's").containsExactlyElementsOf(expected);
    System.out.printf("%s: the subscription got all %d events of the log after #%d, in order, up to #%d%n",
        run, got.size(), startedAfter, last);
  }
}
