package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobQuery.Sort;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.Page;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.JobIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code query}: filters, both orders, and keyset paging that neither skips nor repeats a job. */
public interface QueryContract extends StoreFixture {

  /** The listing order of {@link Sort#OLDEST_FIRST}: createdAt, then id as PostgreSQL orders uuid. */
  Comparator<Job> OLDEST_FIRST = Comparator.comparing(Job::createdAt).thenComparing(Job::id, JobIds.ORDER);

  /**
   * Every page of {@code query}, running {@code betweenPages} after each page that has a next one.
   *
   * @param query the first page's query
   * @param betweenPages what to do between two pages, e.g. insert more jobs
   * @return the jobs of every page, in order
   */
  default List<Job> allPages(JobQuery query, Runnable betweenPages) {
    List<Job> seen = new ArrayList<>();
    JobQuery q = query;
    for (int pages = 0; ; pages++) {
      assertThat(pages).as("pages read; paging does not end").isLessThan(10_000);
      Page<Job> page = store().query(q);
      assertThat(page.items().size()).as("page size").isLessThanOrEqualTo(query.limit());
      seen.addAll(page.items());
      if (!page.hasNext()) {
        return seen;
      }
      assertThat(page.items()).as("a page with a next cursor is not empty").isNotEmpty();
      betweenPages.run();
      q = q.withCursor(page.nextCursor());
    }
  }

  /**
   * {@return ids of {@code jobs}, in order}
   *
   * @param jobs the jobs
   */
  static List<UUID> ids(List<Job> jobs) {
    return jobs.stream().map(Job::id).collect(Collectors.toList());
  }

  /**
   * Inserts {@code count} default jobs of {@code owner}, moving the clock {@code step} before each.
   *
   * @param owner the owner
   * @param count how many jobs
   * @param step how far the clock moves before each insert
   * @return the jobs, in insert order
   */
  default List<Job> insertSpaced(String owner, int count, Duration step) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clock().advance(step);
      jobs.add(insert(job().owner(owner)));
    }
    return jobs;
  }

  /**
   * A query for an owner returns only that owner's jobs, and one of all owners returns every
   * job.
   */
  @Test
  default void queryForAnOwnerReturnsOnlyThatOwnersJobsAndAllOwnersReturnsEveryOne() {
    List<Job> mine = insertSpaced(OWNER, 3, Duration.ofSeconds(1));
    List<Job> theirs = insertSpaced(OTHER_OWNER, 2, Duration.ofSeconds(1));

    assertThat(ids(store().query(JobQuery.forOwner(OWNER).build()).items()))
        .containsExactlyInAnyOrderElementsOf(ids(mine));
    assertThat(ids(store().query(JobQuery.forOwner(OTHER_OWNER).build()).items()))
        .containsExactlyInAnyOrderElementsOf(ids(theirs));
    assertThat(store().query(JobQuery.forOwner("nobody").build()).items()).isEmpty();
    assertThat(store().query(JobQuery.allOwners().build()).items()).hasSize(5);
  }

  /** A query filters by status. */
  @Test
  default void queryFiltersByStatus() {
    Job waiting = insert(job().type("q_status"));
    Job running = processing(job().type("q_status_run"));
    Job done = processing(job().type("q_status_done"));
    store().complete(new Completion(lease(done), "{}", Duration.ofSeconds(1)));
    Job cancelled = store().cancel(OWNER, pending().id());

    assertThat(ids(store().query(JobQuery.forOwner(OWNER).statuses(JobStatus.PENDING).build()).items()))
        .containsExactly(waiting.id());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).statuses(JobStatus.PROCESSING, JobStatus.COMPLETED).build()).items()))
        .containsExactlyInAnyOrder(running.id(), done.id());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).statuses(JobStatus.finalStatuses()).build()).items()))
        .containsExactlyInAnyOrder(done.id(), cancelled.id());
    assertThat(store().query(JobQuery.forOwner(OWNER).statuses(JobStatus.FAILED).build()).items()).isEmpty();
  }

  /** A query filters by error text, ignoring case, across owners too; jobs without an error never match. */
  @Test
  default void queryFiltersByErrorTextIgnoringCase() {
    Job timedOut = processing(job().type("q_err").maxAttempts(1));
    store().fail(new dev.asyncjobs.spi.Failure(lease(timedOut), "Provider TIMEOUT after 30 s", null));
    Job refused = processing(job().type("q_err").maxAttempts(1).owner(OTHER_OWNER));
    store().fail(new dev.asyncjobs.spi.Failure(lease(refused), "content refused", null));
    Job retrying = processing(job().type("q_err"));
    store().fail(new dev.asyncjobs.spi.Failure(lease(retrying), "timeout, again", clock().instant().plusSeconds(60)));
    insert(job().type("q_err"));

    assertThat(ids(store().query(JobQuery.allOwners().errorContains("timeout").build()).items()))
        .containsExactlyInAnyOrder(timedOut.id(), retrying.id());
    assertThat(ids(store().query(JobQuery.allOwners().errorContains("timeout").statuses(JobStatus.FAILED).build()).items()))
        .containsExactly(timedOut.id());
    assertThat(ids(store().query(JobQuery.forOwner(OTHER_OWNER).errorContains("REFUSED").build()).items()))
        .containsExactly(refused.id());
    assertThat(store().query(JobQuery.allOwners().errorContains("100% off_").build()).items())
        .as("no pattern characters: % and _ are text").isEmpty();
    Job accented = processing(job().type("q_err_accent").maxAttempts(1));
    store().fail(new dev.asyncjobs.spi.Failure(lease(accented), "ÉCHEC du fournisseur", null));
    assertThat(ids(store().query(JobQuery.allOwners().errorContains("ÉCHEC du FOURNISSEUR").build()).items()))
        .as("ASCII letters ignore case; others match as written, alike in every store").containsExactly(accented.id());
    assertThat(store().query(JobQuery.allOwners().errorContains("échec").build()).items()).isEmpty();
  }

  /** A query filters by type. */
  @Test
  default void queryFiltersByType() {
    Job a = insert(job().type("q_type_a"));
    Job b = insert(job().type("q_type_b"));
    insert(job().type("q_type_c"));

    assertThat(ids(store().query(JobQuery.forOwner(OWNER).types("q_type_a").build()).items())).containsExactly(a.id());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).types("q_type_a", "q_type_b").build()).items()))
        .containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(store().query(JobQuery.forOwner(OWNER).types("q_type_none").build()).items()).isEmpty();
  }

  /** {@code createdAfter} is inclusive and {@code createdBefore} exclusive. */
  @Test
  default void createdAfterIsInclusiveAndCreatedBeforeIsExclusive() {
    List<Job> jobs = insertSpaced(OWNER, 5, Duration.ofMinutes(1));
    Instant second = jobs.get(1).createdAt();
    Instant fourth = jobs.get(3).createdAt();

    JobQuery window = JobQuery.forOwner(OWNER).createdAfter(second).createdBefore(fourth).sort(Sort.OLDEST_FIRST).build();
    assertThat(ids(store().query(window).items())).containsExactly(jobs.get(1).id(), jobs.get(2).id());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).createdAfter(fourth).sort(Sort.OLDEST_FIRST).build()).items()))
        .containsExactly(jobs.get(3).id(), jobs.get(4).id());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).createdBefore(second).build()).items()))
        .containsExactly(jobs.get(0).id());
  }

  /** Newest first orders by {@code createdAt}, then id, descending. */
  @Test
  default void newestFirstOrdersByCreatedAtThenIdDescending() {
    List<Job> jobs = new ArrayList<>(insertSpaced(OWNER, 4, Duration.ofMillis(7)));
    clock().advance(Duration.ofMillis(1));
    for (int i = 0; i < 6; i++) {
      jobs.add(pending()); // same createdAt: the id decides
    }
    jobs.sort(OLDEST_FIRST.reversed());
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).build()).items())).containsExactlyElementsOf(ids(jobs));
  }

  /** Oldest first orders by {@code createdAt}, then id, ascending. */
  @Test
  default void oldestFirstOrdersByCreatedAtThenIdAscending() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(pending());
    }
    jobs.addAll(insertSpaced(OWNER, 4, Duration.ofMillis(3)));
    jobs.sort(OLDEST_FIRST);
    assertThat(ids(store().query(JobQuery.forOwner(OWNER).sort(Sort.OLDEST_FIRST).build()).items()))
        .containsExactlyElementsOf(ids(jobs));
  }

  /** Paging newest first while jobs are inserted sees each older job exactly once. */
  @Test
  default void pagingNewestFirstWhileJobsAreInsertedSeesEachOlderJobExactlyOnce() {
    List<Job> existing = new ArrayList<>(insertSpaced(OWNER, 20, Duration.ofMillis(1)));
    for (int i = 0; i < 6; i++) {
      existing.add(pending()); // a run of equal createdAt across a page boundary
    }
    insertSpaced(OTHER_OWNER, 3, Duration.ofMillis(1));
    existing.sort(OLDEST_FIRST.reversed());
    AtomicInteger inserted = new AtomicInteger();

    List<Job> seen =
        allPages(
            JobQuery.forOwner(OWNER).limit(4).build(),
            () -> {
              insertSpaced(OWNER, 2, Duration.ofMillis(1));
              inserted.addAndGet(2);
            });

    // Jobs inserted after the first page are newer than its cursor: a newest-first listing never reaches them.
    assertThat(ids(seen)).containsExactlyElementsOf(ids(existing));
    assertThat(inserted.get()).isGreaterThan(0);
  }

  /** Paging oldest first while jobs are inserted sees every job exactly once, in order. */
  @Test
  default void pagingOldestFirstWhileJobsAreInsertedSeesEveryJobExactlyOnceInOrder() {
    List<Job> existing = new ArrayList<>(insertSpaced(OWNER, 15, Duration.ofMillis(1)));
    for (int i = 0; i < 5; i++) {
      existing.add(pending());
    }
    existing.sort(OLDEST_FIRST);

    List<Job> seen = allPages(JobQuery.forOwner(OWNER).sort(Sort.OLDEST_FIRST).limit(6).build(),
        () -> insertSpaced(OWNER, 2, Duration.ofMillis(1)));

    // New jobs are newer than every cursor, so an oldest-first listing reaches all of them in order.
    List<Job> everything = new ArrayList<>(store().query(JobQuery.forOwner(OWNER).limit(JobQuery.MAX_LIMIT).build()).items());
    everything.sort(OLDEST_FIRST);
    assertThat(ids(seen)).doesNotHaveDuplicates().containsExactlyElementsOf(ids(everything));
    assertThat(ids(seen).subList(0, existing.size())).containsExactlyElementsOf(ids(existing));
    assertThat(seen.size()).isGreaterThan(existing.size());
  }

  /** Paging through jobs with equal {@code createdAt} neither skips nor repeats. */
  @Test
  default void pagingThroughJobsWithEqualCreatedAtNeitherSkipsNorRepeats() {
    List<Job> same = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      same.add(pending());
    }
    same.sort(OLDEST_FIRST);
    for (Sort sort : Sort.values()) {
      List<Job> seen = allPages(JobQuery.forOwner(OWNER).sort(sort).limit(5).build(), () -> {});
      List<UUID> expected = ids(same);
      if (sort == Sort.NEWEST_FIRST) {
        expected = new ArrayList<>(expected);
        Collections.reverse(expected);
      }
      assertThat(ids(seen)).as("%s", sort).containsExactlyElementsOf(expected);
    }
  }

  /** Paging keeps the filters on every page. */
  @Test
  default void pagingKeepsTheFiltersOnEveryPage() {
    List<Job> wanted = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      clock().advance(Duration.ofMillis(1));
      wanted.add(insert(job().type("q_page_a")));
      insert(job().type("q_page_b"));
      insert(job().owner(OTHER_OWNER).type("q_page_a"));
    }
    List<Job> seen = allPages(JobQuery.forOwner(OWNER).types("q_page_a").limit(2).build(), () -> {});
    wanted.sort(OLDEST_FIRST.reversed());
    assertThat(ids(seen)).containsExactlyElementsOf(ids(wanted));
  }

  /** The last page has no cursor, even when it is full. */
  @Test
  default void theLastPageHasNoCursorEvenWhenItIsFull() {
    List<Job> jobs = insertSpaced(OWNER, 6, Duration.ofMillis(1));
    Page<Job> first = store().query(JobQuery.forOwner(OWNER).limit(3).build());
    assertThat(first.items()).hasSize(3);
    assertThat(first.hasNext()).isTrue();
    Page<Job> second = store().query(JobQuery.forOwner(OWNER).limit(3).cursor(first.nextCursor()).build());
    assertThat(second.items()).hasSize(3);
    assertThat(second.nextCursor()).as("cursor of the last page").isNull();
    assertThat(ids(first.items()).size() + ids(second.items()).size()).isEqualTo(jobs.size());

    Page<Job> exact = store().query(JobQuery.forOwner(OWNER).limit(6).build());
    assertThat(exact.items()).hasSize(6);
    assertThat(exact.hasNext()).as("a page holding exactly the rest has no next page").isFalse();
  }

  /** An empty listing has no items and no cursor. */
  @Test
  default void anEmptyListingHasNoItemsAndNoCursor() {
    insert(job().owner(OTHER_OWNER));
    Page<Job> page = store().query(JobQuery.forOwner(OWNER).build());
    assertThat(page.items()).isEmpty();
    assertThat(page.hasNext()).isFalse();
  }

  /**
   * Paging while another thread inserts neither skips nor repeats an older job.
   *
   * @throws InterruptedException when the test thread is interrupted
   */
  @Test
  @Timeout(120)
  default void pagingWhileAnotherThreadInsertsNeitherSkipsNorRepeatsAnOlderJob() throws InterruptedException {
    List<Job> existing = new ArrayList<>(insertSpaced(OWNER, 60, Duration.ofMillis(1)));
    existing.sort(OLDEST_FIRST.reversed());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger inserted = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              while (!stop.get()) {
                clock().advance(Duration.ofMillis(1));
                pending();
                inserted.incrementAndGet();
              }
            },
            "tck-inserter");
    writer.start();
    List<Job> seen;
    try {
      seen = allPages(JobQuery.forOwner(OWNER).limit(7).build(), () -> {});
    } finally {
      stop.set(true);
      writer.join(AWAIT.toMillis());
    }
    assertThat(writer.isAlive()).as("inserting thread still running").isFalse();
    Set<UUID> newOnes = new HashSet<>(ids(seen));
    newOnes.removeAll(ids(existing));
    // Jobs the writer added before the first page may lead the listing; after them come all older jobs, once, in order.
    assertThat(ids(seen)).doesNotHaveDuplicates();
    assertThat(ids(seen).subList(newOnes.size(), seen.size())).containsExactlyElementsOf(ids(existing));
    List<Job> sorted = new ArrayList<>(seen);
    sorted.sort(OLDEST_FIRST.reversed());
    assertThat(ids(seen)).containsExactlyElementsOf(ids(sorted));
  }
}
