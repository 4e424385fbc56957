package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.spi.ScheduleRecord;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Schedules: the rows the workers fire recurring jobs from, and the compare-and-set that moves a tick on. */
@RequiresCapability(StoreCapability.SCHEDULES)
public interface ScheduleContract extends StoreFixture {

  /** A new schedule is stored with its next run and no state, and listed by name. */
  @Test
  default void aNewScheduleIsStoredAndListedByName() {
    Instant next = clock().instant().plusSeconds(60);
    ScheduleRecord b = store().saveSchedule("s-b", "{\"v\":1}", next);
    store().saveSchedule("s-a", "{\"v\":2}", next.plusSeconds(1));

    assertThat(b).isEqualTo(new ScheduleRecord("s-b", "{\"v\":1}", next, null));
    assertThat(store().schedules()).extracting(ScheduleRecord::name).containsExactly("s-a", "s-b");
  }

  /** Saving the same definition again keeps the next run and the state: a restart moves no tick. */
  @Test
  default void savingTheSameDefinitionKeepsTheNextRunAndState() {
    Instant next = clock().instant().plusSeconds(60);
    store().saveSchedule("same", "{\"v\":1}", next);
    assertThat(store().advanceSchedule("same", next, next.plusSeconds(60), "42")).isTrue();

    ScheduleRecord again = store().saveSchedule("same", "{\"v\":1}", next.plusSeconds(3600));

    assertThat(again).isEqualTo(new ScheduleRecord("same", "{\"v\":1}", next.plusSeconds(60), "42"));
    assertThat(store().schedules()).containsExactly(again);
  }

  /** A changed definition replaces the row: its next run is the one given, its state is gone. */
  @Test
  default void aChangedDefinitionReplacesNextRunAndState() {
    Instant next = clock().instant().plusSeconds(60);
    store().saveSchedule("changed", "{\"v\":1}", next);
    store().advanceSchedule("changed", next, next.plusSeconds(60), "42");

    ScheduleRecord changed = store().saveSchedule("changed", "{\"v\":2}", next.plusSeconds(5));

    assertThat(changed).isEqualTo(new ScheduleRecord("changed", "{\"v\":2}", next.plusSeconds(5), null));
  }

  /** The compare-and-set moves a tick only from the next run it names. */
  @Test
  default void advanceMovesOnlyFromTheNextRunItNames() {
    Instant next = clock().instant().plusSeconds(60);
    store().saveSchedule("cas", "{}", next);

    assertThat(store().advanceSchedule("cas", next.minusSeconds(1), next.plusSeconds(1), null)).as("a stale next run").isFalse();
    assertThat(store().advanceSchedule("cas", next, next.plusSeconds(1), "s")).isTrue();
    assertThat(store().advanceSchedule("cas", next, next.plusSeconds(2), null)).as("the same tick again").isFalse();
    assertThat(store().schedules()).containsExactly(new ScheduleRecord("cas", "{}", next.plusSeconds(1), "s"));
    assertThat(store().advanceSchedule("missing", next, next.plusSeconds(1), null)).as("no such schedule").isFalse();
  }

  /**
   * A compare-and-set from a next run to itself replaces only the state: how a task that claims
   * its tick first saves the state its run left, unless the next tick began meanwhile.
   */
  @Test
  default void advanceToTheSameNextRunReplacesTheStateOnly() {
    Instant next = clock().instant().plusSeconds(60);
    store().saveSchedule("state", "{}", next);

    assertThat(store().advanceSchedule("state", next, next, "cursor-1")).isTrue();
    assertThat(store().schedules()).containsExactly(new ScheduleRecord("state", "{}", next, "cursor-1"));
    assertThat(store().advanceSchedule("state", next, next.plusSeconds(1), "cursor-1")).as("the next tick begins").isTrue();
    assertThat(store().advanceSchedule("state", next, next, "cursor-2")).as("a late save of the tick before").isFalse();
    assertThat(store().schedules()).containsExactly(new ScheduleRecord("state", "{}", next.plusSeconds(1), "cursor-1"));
  }

  /** A removed schedule is gone, and nothing moves it. */
  @Test
  default void aRemovedScheduleIsGone() {
    Instant next = clock().instant().plusSeconds(60);
    store().saveSchedule("gone", "{}", next);

    assertThat(store().removeSchedule("gone")).isTrue();
    assertThat(store().removeSchedule("gone")).isFalse();
    assertThat(store().schedules()).isEmpty();
    assertThat(store().advanceSchedule("gone", next, next.plusSeconds(1), null)).isFalse();
  }

  /**
   * Of eight threads moving the same tick at once, exactly one does, every round.
   *
   * @throws Exception a racer failed
   */
  @Test
  default void ofEightRacersExactlyOneMovesEachTick() throws Exception {
    Instant tick = clock().instant().plusSeconds(60);
    store().saveSchedule("race", "{}", tick);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        Instant from = tick.plus(Duration.ofSeconds(round));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> moves = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          Callable<Boolean> move = () -> {
            go.await();
            return store().advanceSchedule("race", from, from.plusSeconds(1), null);
          };
          moves.add(pool.submit(move));
        }
        go.countDown();
        int moved = 0;
        for (Future<Boolean> f : moves) {
          moved += f.get() ? 1 : 0;
        }
        assertThat(moved).as("round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
