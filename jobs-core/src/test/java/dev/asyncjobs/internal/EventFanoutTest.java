package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded queue between the store's event thread and each application listener: every event
 * once and in order, and a slow, throwing or lagging listener costs the others nothing.
 */
class EventFanoutTest {
  private final FakeStore store = new FakeStore();
  private @Nullable EventFanout fanout;

  @AfterEach
  void close() {
    if (fanout != null) {
      fanout.close();
    }
    store.close();
  }

  private EventFanout fanout(int queueCapacity, int threads) {
    fanout = new EventFanout(store, queueCapacity, threads);
    return fanout;
  }

  /** Records what a listener hears; optionally holds its first event until released. */
  private static final class Recorder implements JobEventListener {
    final List<Long> sequences = new CopyOnWriteArrayList<>();
    final List<String> notices = new CopyOnWriteArrayList<>();
    final CountDownLatch release;
    final CountDownLatch holding = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();

    Recorder() {
      this(0);
    }

    /** {@code holds} 1: the first event blocks until {@link #release()}. */
    Recorder(int holds) {
      this.release = new CountDownLatch(holds);
    }

    @Override
    public void onEvent(JobEvent event) {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet(); // one listener's events must never be delivered concurrently
      }
      try {
        sequences.add(event.sequence());
        if (sequences.size() == 1 && release.getCount() > 0) {
          holding.countDown();
          try {
            release.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      } finally {
        inside.decrementAndGet();
      }
    }

    @Override
    public void onDropped(String reason) {
      notices.add("dropped after " + sequences.size());
      ended.countDown();
    }

    @Override
    public void onPruned(EventsPrunedException pruned) {
      notices.add("pruned after " + sequences.size());
      ended.countDown();
    }

    void release() {
      release.countDown();
    }

    void awaitHolding() throws InterruptedException {
      assertThat(holding.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("the listener took its first event").isTrue();
    }

    void awaitEnded() throws InterruptedException {
      assertThat(ended.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("the listener heard the end").isTrue();
    }

    void awaitCount(int n) throws InterruptedException {
      Await.until("a listener heard " + n + " events (has " + sequences.size() + ")", () -> sequences.size() >= n);
    }
  }

  /** The sequences of the CREATED events the store has logged so far. */
  private List<Long> createdSequences() {
    return store.events().stream().filter(e -> e.kind() == JobEvent.Kind.CREATED).map(JobEvent::sequence).toList();
  }

  @Test
  void everySubscriberGetsEveryEventOnceAndInOrder() throws Exception {
    EventFanout f = fanout(10_000, 2);
    List<Recorder> listeners = List.of(new Recorder(), new Recorder(), new Recorder());
    for (Recorder r : listeners) {
      f.subscribe(EventSubscription.allOwners(), r);
    }
    // Two writers at once: the store orders their events; every listener must see that order.
    Thread other = new Thread(() -> {
      for (int i = 0; i < 25; i++) {
        store.addJobs(10);
      }
    }, "test-writer");
    other.start();
    for (int i = 0; i < 25; i++) {
      store.addJobs(10);
    }
    other.join(Await.DEADLINE.toMillis());
    List<Long> expected = createdSequences();
    assertThat(expected).hasSize(500);
    for (Recorder r : listeners) {
      r.awaitCount(500);
      assertThat(r.sequences).containsExactlyElementsOf(expected);
      assertThat(r.overlaps.get()).isZero();
    }
  }

  @Test
  void aSlowListenerHoldsUpNeitherTheStoresThreadNorTheOtherListeners() throws Exception {
    EventFanout f = fanout(1000, 2);
    Recorder slow = new Recorder(1);
    Recorder fast = new Recorder();
    f.subscribe(EventSubscription.allOwners(), slow);
    f.subscribe(EventSubscription.allOwners(), fast);
    store.addJobs(100);
    slow.awaitHolding();
    store.awaitDelivered(Await.DEADLINE); // the store's thread handed every event over
    fast.awaitCount(100);
    assertThat(slow.sequences).hasSize(1);

    slow.release();
    slow.awaitCount(100);
    assertThat(slow.sequences).containsExactlyElementsOf(createdSequences());
    assertThat(fast.sequences).containsExactlyElementsOf(createdSequences());
  }

  @Test
  void aThrowingListenerStillGetsTheLaterEventsAndTheOthersAreUnaffected() throws Exception {
    EventFanout f = fanout(1000, 2);
    List<Long> heard = new CopyOnWriteArrayList<>();
    f.subscribe(EventSubscription.allOwners(), event -> {
      heard.add(event.sequence());
      if (event.sequence() % 2 == 1) {
        throw new IllegalStateException("a listener bug");
      }
    });
    Recorder other = new Recorder();
    f.subscribe(EventSubscription.allOwners(), other);
    store.addJobs(50);
    other.awaitCount(50);
    Await.until("the throwing listener heard all 50", () -> heard.size() >= 50);
    assertThat(heard).containsExactlyElementsOf(createdSequences());
    assertThat(other.sequences).containsExactlyElementsOf(createdSequences());
    assertThat(f.subscriberCount()).isEqualTo(2);
  }

  @Test
  void aListenerThatFallsTooFarBehindIsDroppedAndToldAtOnceWhileTheOthersGoOn() throws Exception {
    int capacity = 5;
    EventFanout f = fanout(capacity, 2);
    Recorder stuck = new Recorder(1);
    Recorder healthy = new Recorder();
    f.subscribe(EventSubscription.allOwners(), stuck);
    f.subscribe(EventSubscription.allOwners(), healthy);
    store.addJobs(1);
    stuck.awaitHolding();
    healthy.awaitCount(1);
    // One event at a time, each taken by the healthy listener before the next (so that it never
    // lags itself), until the stuck one's queue holds one more than its capacity.
    for (int i = 1; i <= capacity + 1; i++) {
      store.addJobs(1);
      healthy.awaitCount(1 + i);
    }

    stuck.awaitEnded(); // told while its own thread is still stuck in the listener
    assertThat(stuck.notices).containsExactly("dropped after 1");
    assertThat(f.subscriberCount()).isEqualTo(1);
    assertThat(store.openSubscriptions()).as("its store subscription is closed").isEqualTo(1);

    stuck.release();
    store.addJobs(1);
    healthy.awaitCount(capacity + 3);
    assertThat(stuck.sequences).as("nothing after the drop").hasSize(1);
    assertThat(stuck.notices).hasSize(1);
    assertThat(healthy.sequences).containsExactlyElementsOf(createdSequences());
  }

  @Test
  void aPrunedSubscriptionHearsTheEventsAlreadyQueuedThenTheNoticeAndNothingMore() throws Exception {
    EventFanout f = fanout(1000, 2);
    Recorder r = new Recorder(1);
    f.subscribe(EventSubscription.allOwners(), r);
    store.addJobs(5);
    r.awaitHolding();
    store.awaitDelivered(Await.DEADLINE);
    store.endSubscriptions(l -> l.onPruned(new EventsPrunedException(3, 10)));
    store.awaitDelivered(Await.DEADLINE);
    assertThat(f.subscriberCount()).isZero();

    r.release();
    r.awaitEnded();
    assertThat(r.sequences).containsExactlyElementsOf(createdSequences());
    assertThat(r.notices).containsExactly("pruned after 5");
  }

  @Test
  void aSubscriptionTheStoreRefusesLeavesNoSubscriberBehind() {
    EventFanout f = fanout(1000, 1);
    store.failNext("subscribe", new EventsPrunedException(3, 10));
    assertThatThrownBy(() -> f.subscribe(EventSubscription.allOwners().after(3), new Recorder()))
        .isInstanceOf(EventsPrunedException.class);
    assertThat(f.subscriberCount()).isZero();
  }

  @Test
  void aResumedSubscriptionStartsAfterItsPositionAndGetsTheKeptEventsFirst() throws Exception {
    EventFanout f = fanout(1000, 2);
    store.addJobs(4);
    long position = createdSequences().get(1);
    Recorder r = new Recorder();
    Subscription s = f.subscribe(EventSubscription.allOwners().after(position), r);
    assertThat(s.startedAfter()).isEqualTo(position);
    store.addJobs(2);
    r.awaitCount(4);
    assertThat(r.sequences).containsExactlyElementsOf(createdSequences().subList(2, 6));
  }

  @Test
  void closingASubscriptionOrTheFanoutEndsDeliveryAndCloseRefusesNewSubscriptions() throws Exception {
    EventFanout f = fanout(1000, 2);
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    Subscription sa = f.subscribe(EventSubscription.allOwners(), a);
    f.subscribe(EventSubscription.allOwners(), b);
    sa.close();
    sa.close(); // idempotent
    assertThat(f.subscriberCount()).isEqualTo(1);
    assertThat(store.openSubscriptions()).isEqualTo(1);
    store.addJobs(3);
    b.awaitCount(3);
    assertThat(a.sequences).isEmpty();

    f.close();
    assertThat(store.openSubscriptions()).isZero();
    assertThatThrownBy(() -> f.subscribe(EventSubscription.allOwners(), new Recorder()))
        .isInstanceOf(IllegalStateException.class);
    List<Long> before = new ArrayList<>(b.sequences);
    store.addJobs(1);
    store.awaitDelivered(Await.DEADLINE);
    assertThat(b.sequences).isEqualTo(before);
  }
}
