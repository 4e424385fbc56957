package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store's {@code completeAllThenClaim}, beyond the contract suite: one transaction
 * whose claim may fail alone, and whose commit waits for its flush as a completion's must, although
 * the claim in it asks for an asynchronous commit.
 */
class CompleteThenClaimTest {
  private static final String TYPE = "image";
  private static final Duration LEASE = Duration.ofMinutes(5);

  private final MutableClock clock = new MutableClock();
  private TestSchema schema;
  private PostgresJobStore store;

  @BeforeEach
  void open() {
    schema = new TestSchema().open();
    store = schema.emptyStore(clock);
  }

  @AfterEach
  void close() {
    store.close();
    schema.close();
  }

  private Job claimed() {
    store.insert(InsertRequest.of(List.of(NewJobBuilder.newJob(clock).type(TYPE).build())));
    List<Job> jobs = store.claim(request(Set.of(TYPE)));
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  private static ClaimRequest request(Set<String> types) {
    return new ClaimRequest("w1", types, 4, LEASE);
  }

  private static List<Completion> completionOf(Job job) {
    return List.of(new Completion(Lease.of(job), "{\"done\":true}", Duration.ofMillis(3)));
  }

  @Test
  void aClaimThatFailsIsUndoneAloneAndTheCompletionsCommit() {
    Job done = claimed();
    Job waiting = store.insert(InsertRequest.of(List.of(NewJobBuilder.newJob(clock).type(TYPE).build()))).get(0);
    // A type name PostgreSQL refuses as text (a NUL character): the claim's statement fails in the server.
    CompletedAndClaimed result = store.completeAllThenClaim(completionOf(done), request(Set.of("bad\u0000type")));

    assertThat(result.claimFailure()).isInstanceOf(InvalidRequestException.class);
    assertThat(result.claimed()).isEmpty();
    assertThat(result.completed()).extracting(Job::id).containsExactly(done.id());
    assertThat(store.find(done.id()).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_events WHERE job_id = '" + done.id()
        + "' AND kind = 'COMPLETED'")).as("completed once").isEqualTo("1");
    assertThat(store.find(waiting.id()).orElseThrow().status()).as("nothing claimed").isEqualTo(JobStatus.PENDING);
    assertThat(store.claim(request(Set.of(TYPE)))).as("the store claims as before").extracting(Job::id)
        .containsExactly(waiting.id());
  }

  @Test
  void itCommitsWaitingForTheFlushWhileAPlainClaimDoesNot() {
    store.defineLimit(JobLimit.builder(TYPE).maxRunning(1).build());
    Job running = claimed();
    store.insert(InsertRequest.of(List.of(NewJobBuilder.newJob(clock).type(TYPE).build())));
    // A deferred constraint trigger runs at commit: it notes the setting the commit goes by.
    String s = schema.name();
    schema.execute("CREATE TABLE " + s + ".commits (status text, durability text)");
    schema.execute("CREATE FUNCTION " + s + ".note_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        + " INSERT INTO " + s + ".commits VALUES (NEW.status, current_setting('synchronous_commit')); RETURN NULL; END $$");
    schema.execute("CREATE CONSTRAINT TRIGGER note_commit AFTER UPDATE ON " + s + ".jobs DEFERRABLE INITIALLY DEFERRED"
        + " FOR EACH ROW EXECUTE FUNCTION " + s + ".note_commit()");

    // The server's own setting, as a completion commits: "on" unless the server is set otherwise.
    String durable = schema.value("SHOW synchronous_commit");
    assertThat(durable).as("this test needs a server whose commits wait for their flush").isNotEqualTo("off");
    CompletedAndClaimed result = store.completeAllThenClaim(completionOf(running), request(Set.of(TYPE)));
    assertThat(result.claimed()).hasSize(1);
    assertThat(schema.value("SELECT string_agg(status || '=' || durability, ',' ORDER BY status) FROM " + s + ".commits"))
        .as("one transaction, committed as a completion is").isEqualTo("COMPLETED=" + durable + ",PROCESSING=" + durable);

    schema.execute("TRUNCATE " + s + ".commits");
    store.insert(InsertRequest.of(List.of(NewJobBuilder.newJob(clock).type(TYPE).build())));
    store.complete(completionOf(result.claimed().get(0)).get(0));
    schema.execute("TRUNCATE " + s + ".commits");
    assertThat(store.claim(request(Set.of(TYPE)))).hasSize(1);
    assertThat(schema.value("SELECT string_agg(status || '=' || durability, ',') FROM " + s + ".commits"))
        .as("what the trigger sees of a plain claim, which commits asynchronously").isEqualTo("PROCESSING=off");
  }
}
