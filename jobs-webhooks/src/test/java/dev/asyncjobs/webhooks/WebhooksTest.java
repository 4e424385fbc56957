package dev.asyncjobs.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.webhooks.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end on the in-memory store: real workers, a real HTTP receiver on this machine,
 * signatures checked as a receiver checks them.
 */
class WebhooksTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = WebhookSignature.newSecret();

  private final WebhookReceiver receiver = new WebhookReceiver();
  private final InMemoryJobStore store = new InMemoryJobStore();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    store.close();
    receiver.close();
  }

  /** Webhooks for a local receiver: http and loopback allowed, retries in milliseconds. */
  private static Webhooks.Builder local() {
    return Webhooks.builder()
        .secrets(WebhookSecrets.of(Map.of("alice", List.of(SECRET), "bob", List.of(SECRET))))
        .allowHttp(true)
        .allowPrivateAddresses(true)
        .retryDelays(List.of(Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(20)))
        .dispatchInterval(Duration.ofMillis(20));
  }

  private JobManager manager(Webhooks webhooks) {
    return manager(webhooks, store);
  }

  private JobManager manager(Webhooks webhooks, InMemoryJobStore on) {
    open.add(webhooks);
    JobManager jobs = webhooks.register(JobManager.builder().store(on)).generator(new EchoGenerator()).build();
    open.add(jobs);
    return jobs;
  }

  private JobWorker worker(JobManager jobs, Webhooks webhooks) {
    JobWorker worker = JobWorker.builder(jobs)
        .task(webhooks.dispatcher(jobs))
        .schedulePollInterval(Duration.ofMillis(20))
        .retryPolicy(Webhooks.DELIVERY_TYPE, RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(5)))
        .build();
    open.add(worker);
    return worker.start();
  }

  private static JobRequest echo(String owner, String text, String url) {
    JobRequest.Builder b = JobRequest.builder(owner, EchoGenerator.TYPE, new EchoGenerator.Echo(text, 1));
    return url == null ? b.build() : b.metadata(Webhooks.CALLBACK_URL, url).build();
  }

  private List<Job> deliveries(JobManager jobs) {
    return JobAdmin.of(jobs).search(JobQuery.allOwners().types(Webhooks.DELIVERY_TYPE).limit(100).build()).items();
  }

  private Job finishedDelivery(JobManager jobs) {
    return finished(jobs, j -> true, "a finished delivery job");
  }

  private Job finished(JobManager jobs, java.util.function.Predicate<Job> wanted, String what) {
    return Waits.untilValue(what, WAIT,
        () -> deliveries(jobs).stream().filter(j -> j.isFinished() && wanted.test(j)).findFirst(), Optional::isPresent).orElseThrow();
  }

  private static boolean verifies(WebhookReceiver.Received r, String secret) {
    return WebhookSignature.verify(secret, r.id(), r.timestamp(), r.body(), r.signature(), Instant.now(), WebhookSignature.DEFAULT_TOLERANCE);
  }

  @Test
  void aFinishedJobIsPostedWithItsPublicViewSignedAsStandardWebhooksSigns() throws Exception {
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    Job job = jobs.create(echo("alice", "hello", receiver.url("/hooks/alice")));

    Waits.until("the webhook arrives", WAIT, () -> !receiver.received().isEmpty());
    WebhookReceiver.Received r = receiver.received().get(0);
    assertThat(r.path()).isEqualTo("/hooks/alice");
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(verifies(r, SECRET)).as("signature and timestamp check out").isTrue();
    assertThat(verifies(r, WebhookSignature.newSecret())).as("another secret does not verify").isFalse();
    assertThat(WebhookSignature.verify(SECRET, r.id(), r.timestamp(), r.body().replace("hello", "HELLO"), r.signature(),
        Instant.now(), WebhookSignature.DEFAULT_TOLERANCE)).as("a changed body does not verify").isFalse();
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("type").asText()).isEqualTo("job.completed");
    JsonNode data = body.get("data");
    assertThat(data.get("id").asText()).isEqualTo(job.id().toString());
    assertThat(data.get("ownerId").asText()).isEqualTo("alice");
    assertThat(data.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(data.get("result").get("text").asText()).isEqualTo("hello");
    assertThat(data.has("payload")).as("the owner sent the payload; it is not echoed").isFalse();
    Job delivery = finishedDelivery(jobs);
    assertThat(delivery.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(delivery.ownerId()).as("not in alice's list or quota").isEqualTo(Webhooks.DEFAULT_DELIVERY_OWNER);
    assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void a500IsRetriedWithTheSameIdAndBodyUntilTheReceiverTakesIt() {
    receiver.answer(500, 503);
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "again", receiver.url("/h")));

    Job delivery = finished(jobs, j -> j.status() == JobStatus.COMPLETED, "the delivery succeeds");
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).hasSize(3);
    assertThat(delivery.attempts()).isEqualTo(3);
    assertThat(got).extracting(WebhookReceiver.Received::id).containsOnly(got.get(0).id());
    assertThat(got).extracting(WebhookReceiver.Received::body).containsOnly(got.get(0).body());
    assertThat(got).allSatisfy(r -> assertThat(verifies(r, SECRET)).isTrue());
  }

  @Test
  void aDeliveryIsGivenUpAfterItsLastRetryWithTheFailureOnTheDeliveryJob() {
    receiver.answer(503, 503, 503, 503, 503);
    Webhooks webhooks = local().retryDelays(List.of(Duration.ofMillis(10))).build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "never", receiver.url("/h")));

    Job delivery = finished(jobs, j -> j.status() == JobStatus.FAILED, "the delivery is given up");
    assertThat(delivery.attempts()).isEqualTo(2);
    assertThat(delivery.errorMessage()).contains("answered HTTP 503");
    assertThat(receiver.received()).hasSize(2);
    assertThat(webhooks.giveUpAfter()).isEqualTo(Duration.ofMillis(10));
    assertThat(Webhooks.builder().secrets(o -> List.of()).build().giveUpAfter()).as("the documented default")
        .isEqualTo(Duration.ofHours(27).plusMinutes(35).plusSeconds(5));
  }

  @Test
  void aClientErrorOrARedirectFailsTheDeliveryAtOnce() {
    receiver.answer(404, 302).location(302, "http://169.254.169.254/latest/meta-data");
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "one", receiver.url("/gone")));
    Waits.until("the first delivery fails", WAIT, () -> deliveries(jobs).stream().anyMatch(j -> j.status() == JobStatus.FAILED));
    jobs.create(echo("alice", "two", receiver.url("/moved")));
    Waits.until("both deliveries fail", WAIT, () -> deliveries(jobs).stream().filter(j -> j.status() == JobStatus.FAILED).count() == 2);

    assertThat(deliveries(jobs)).extracting(Job::attempts).containsOnly(1);
    assertThat(deliveries(jobs)).extracting(Job::errorMessage)
        .anySatisfy(m -> assertThat(m).contains("answered HTTP 404; not retried"))
        .anySatisfy(m -> assertThat(m).contains("HTTP 302: redirects are not followed"));
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::path).containsExactly("/gone", "/moved");
  }

  @Test
  void aCallbackToAPrivateAddressIsRefusedAtCreateWithAClearErrorAndNothingIsStored() {
    Webhooks webhooks = Webhooks.builder().secrets(o -> List.of(SECRET)).build();
    JobManager jobs = manager(webhooks);

    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "https://10.1.2.3/hook")))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.field()).isEqualTo("metadata." + Webhooks.CALLBACK_URL);
          assertThat(e.getMessage()).contains("webhook URL refused: host 10.1.2.3 is a private address");
        });
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "https://169.254.169.254/")))
        .hasMessageContaining("is the cloud metadata address");
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "https://[::1]:8443/")))
        .hasMessageContaining("is a loopback address");
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "https://1.2.3.4.5/hook")))
        .as("digits and dots that a client would look up past the guard").hasMessageContaining("is not a valid IPv4 address");
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "http://hooks.example.com/")))
        .hasMessageContaining("only https URLs are called, this one is http");
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "ftp://hooks.example.com/")))
        .hasMessageContaining("it is not an http(s) URL");
    assertThatThrownBy(() -> jobs.create(echo("alice", "x", "https://user:pw@hooks.example.com/")))
        .hasMessageContaining("user name or password");
    assertThat(store.size()).isZero();
  }

  @Test
  void aNameThatResolvesToLoopbackIsRefusedAtDeliveryAndNothingIsSent() {
    Webhooks webhooks = local().allowPrivateAddresses(false)
        .ownerEndpoints(owner -> Optional.of("http://localhost:" + receiver.port() + "/h"))
        .build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "x", null));

    Job delivery = finishedDelivery(jobs);
    assertThat(delivery.status()).isEqualTo(JobStatus.FAILED);
    assertThat(delivery.attempts()).as("refused, not retried").isEqualTo(1);
    assertThat(delivery.errorMessage()).contains("webhook URL refused: host localhost is a loopback address");
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void aJobsOwnURLWinsThenTheOwnersThenTheTypesAndAJobWithNoneIsNotCalledBack() throws Exception {
    Webhooks webhooks = local()
        .ownerEndpoints(owner -> owner.equals("bob") ? Optional.of(receiver.url("/bob")) : Optional.empty())
        .typeEndpoint("echo", receiver.url("/type"))
        .build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "own", receiver.url("/own")));
    jobs.create(echo("bob", "owner's", null));
    jobs.create(echo("alice", "type's", null));

    Waits.until("three webhooks", WAIT, () -> receiver.received().size() == 3);
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::path).containsExactlyInAnyOrder("/own", "/bob", "/type");
  }

  @Test
  void aCancelledJobIsCalledBackAndAJobWithoutAURLIsNot() throws Exception {
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    Job silent = jobs.create(echo("alice", "quiet", null));
    Waits.until("the silent job finishes", WAIT, () -> jobs.get("alice", silent.id()).isFinished());
    Job later = jobs.create(JobRequest.builder("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("later", 1))
        .runAt(Instant.now().plus(Duration.ofHours(1))).metadata(Webhooks.CALLBACK_URL, receiver.url("/c")).build());
    jobs.cancel("alice", later.id());

    Waits.until("the cancel's webhook", WAIT, () -> !receiver.received().isEmpty());
    Job delivery = finishedDelivery(jobs);
    assertThat(receiver.received()).hasSize(1);
    assertThat(JSON.readTree(receiver.received().get(0).body()).get("type").asText()).isEqualTo("job.cancelled");
    assertThat(deliveries(jobs)).as("events are read in order: the silent job's came first and made none").containsExactly(delivery);
  }

  @Test
  void jobsFinishedBeforeTheDispatcherFirstRanAreNotCalledBack() {
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);
    JobWorker plain = JobWorker.builder(jobs).build().start();
    Job before = jobs.create(echo("alice", "before", receiver.url("/before")));
    Waits.until("the first job finishes", WAIT, () -> jobs.get("alice", before.id()).isFinished());
    plain.close();

    worker(jobs, webhooks);
    jobs.create(echo("alice", "after", receiver.url("/after")));

    Waits.until("the second job's webhook", WAIT, () -> !receiver.received().isEmpty());
    finishedDelivery(jobs);
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::path).containsExactly("/after");
  }

  @Test
  void duringARotationEachDeliveryIsSignedWithBothSecretsAndEitherVerifies() {
    String oldSecret = WebhookSignature.newSecret();
    String newSecret = WebhookSignature.newSecret();
    Webhooks webhooks = local().secrets(owner -> List.of(newSecret, oldSecret)).build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "rotating", receiver.url("/r")));

    Waits.until("the webhook", WAIT, () -> !receiver.received().isEmpty());
    WebhookReceiver.Received r = receiver.received().get(0);
    assertThat(r.signature().split(" ")).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1,"));
    assertThat(verifies(r, oldSecret)).isTrue();
    assertThat(verifies(r, newSecret)).isTrue();
  }

  @Test
  void anOwnerWithoutASecretGetsNoUnsignedWebhook() {
    Webhooks webhooks = local().secrets(owner -> List.of()).build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    jobs.create(echo("alice", "x", receiver.url("/h")));

    Job delivery = finishedDelivery(jobs);
    assertThat(delivery.status()).isEqualTo(JobStatus.FAILED);
    assertThat(delivery.errorMessage()).contains("owner alice has no signing secret");
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void callersCannotCreateDeliveryJobs() {
    Webhooks webhooks = local().build();
    JobManager jobs = manager(webhooks);

    assertThatThrownBy(() -> jobs.create(JobRequest.builder("mallory", Webhooks.DELIVERY_TYPE)
        .payload("{\"url\":\"https://example.com/\",\"ownerId\":\"alice\",\"messageId\":\"m\",\"body\":\"{}\"}").build()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("type"));
    assertThat(store.size()).isZero();
  }

  @Test
  void aManagerWithoutTheInterceptorStillSignsNoDeliveryACallerMade() {
    Webhooks webhooks = local().build();
    open.add(webhooks);
    JobManager jobs = JobManager.builder().store(store).generator(webhooks.generator()).generator(new EchoGenerator()).build();
    open.add(jobs);
    worker(jobs, webhooks);

    jobs.create(JobRequest.builder("mallory", Webhooks.DELIVERY_TYPE).payload("{\"url\":\"" + receiver.url("/forged")
        + "\",\"ownerId\":\"alice\",\"messageId\":\"m\",\"body\":\"{}\"}").build());

    Job forged = finished(jobs, j -> true, "the forged delivery ends");
    assertThat(forged.status()).isEqualTo(JobStatus.FAILED);
    assertThat(forged.errorMessage()).contains("delivery jobs are the dispatcher's");
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void anEndpointLookupThatThrowsForOneOwnerStopsNoOtherWebhook() {
    Webhooks webhooks = local().ownerEndpoints(owner -> {
      if (owner.equals("bob")) {
        throw new IllegalStateException("bob's settings are gone");
      }
      return Optional.empty();
    }).build();
    JobManager jobs = manager(webhooks);
    worker(jobs, webhooks);

    Job bobs = jobs.create(echo("bob", "first", null));
    Waits.until("bob's job finishes", WAIT, () -> jobs.get("bob", bobs.id()).isFinished());
    jobs.create(echo("alice", "second", receiver.url("/alice")));

    Waits.until("alice's webhook", WAIT, () -> !receiver.received().isEmpty());
    assertThat(receiver.received()).extracting(WebhookReceiver.Received::path).containsExactly("/alice");
  }

  @Test
  void aBodyOverTheManagersPayloadLimitIsSentWithoutTheResult() throws Exception {
    Webhooks webhooks = local().build();
    open.add(webhooks);
    JobManager jobs = webhooks.register(JobManager.builder().store(store)).generator(new EchoGenerator()).maxPayloadBytes(4096).build();
    open.add(jobs);
    worker(jobs, webhooks);

    Job job = jobs.create(JobRequest.builder("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("x".repeat(1000), 5))
        .metadata(Webhooks.CALLBACK_URL, receiver.url("/big")).build());

    Waits.until("the webhook", WAIT, () -> !receiver.received().isEmpty());
    JsonNode data = JSON.readTree(receiver.received().get(0).body()).get("data");
    assertThat(data.get("id").asText()).isEqualTo(job.id().toString());
    assertThat(data.get("resultOmitted").asBoolean()).isTrue();
    assertThat(data.get("result").isNull()).isTrue();
  }

  /** Where the docs' sample keeps each owner's secrets (the application's database or vault). */
  private static final class Vault {
    private final Map<String, List<String>> secrets = Map.of("alice", List.of(SECRET));

    List<String> webhookSecrets(String owner) {
      return secrets.getOrDefault(owner, List.of());
    }
  }

  /** The samples of docs/webhooks.md: the wiring with production rules, and a receiver's check. */
  @Test
  void theDocsSamplesWireWebhooksAndCheckADelivery() throws Exception {
    Vault vault = new Vault();
    // EXAMPLE-BEGIN webhooks-setup
    Webhooks webhooks = Webhooks.builder()
        .secrets(owner -> vault.webhookSecrets(owner))   // each owner's whsec_... secrets, newest first
        .build();
    JobManager jobs = webhooks.register(JobManager.builder().store(store))
        .generator(new EchoGenerator())
        .build();
    JobWorker worker = JobWorker.builder(jobs).task(webhooks.dispatcher(jobs)).build().start();
    // EXAMPLE-END webhooks-setup
    open.addAll(List.of(webhooks, jobs, worker));
    // EXAMPLE-BEGIN webhooks-create
    Job job = jobs.create(JobRequest.builder("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1))
        .metadata(Webhooks.CALLBACK_URL, "https://hooks.example.com/jobs")
        .build());
    // EXAMPLE-END webhooks-create
    Job delivery = Waits.untilValue("the delivery job", WAIT, () -> deliveries(jobs).stream().findFirst(), Optional::isPresent)
        .orElseThrow();
    assertThat(delivery.payloadTree().get("url").asText()).isEqualTo("https://hooks.example.com/jobs");
    assertThat(delivery.metadata()).containsEntry("asyncjobs.webhook.job", job.id().toString());
    assertThat(delivery.maxAttempts()).isEqualTo(Webhooks.DEFAULT_RETRY_DELAYS.size() + 1);

    // A store of its own: the dispatcher's row is per store, and the one above would take these events too.
    InMemoryJobStore elsewhere = new InMemoryJobStore();
    open.add(elsewhere);
    Webhooks local = local().build();
    JobManager other = manager(local, elsewhere);
    worker(other, local);
    other.create(echo("alice", "checked", receiver.url("/in")));
    Waits.until("a webhook", WAIT, () -> !receiver.received().isEmpty());
    WebhookReceiver.Received r = receiver.received().get(0);
    Map<String, String> headers = Map.of("webhook-id", r.id(), "webhook-timestamp", r.timestamp(), "webhook-signature", r.signature());
    String body = r.body();
    String secret = SECRET;
    // EXAMPLE-BEGIN webhooks-verify
    boolean genuine = WebhookSignature.verify(secret, headers.get("webhook-id"), headers.get("webhook-timestamp"), body,
        headers.get("webhook-signature"), Instant.now(), WebhookSignature.DEFAULT_TOLERANCE);
    // EXAMPLE-END webhooks-verify
    assertThat(genuine).isTrue();
  }
}
