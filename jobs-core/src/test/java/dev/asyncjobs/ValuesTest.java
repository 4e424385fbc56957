package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.PageCursor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void idsAreVersion7AndOrderedByTime() {
    Clock early = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    Clock late = Clock.fixed(Instant.parse("2026-01-01T00:00:01Z"), ZoneOffset.UTC);
    UUID a = JobIds.newId(early);
    UUID b = JobIds.newId(late);
    assertThat(a.version()).isEqualTo(7);
    assertThat(a.variant()).isEqualTo(2);
    assertThat(JobIds.ORDER.compare(a, b)).isNegative();
    assertThat(a.getMostSignificantBits() >>> 16).isEqualTo(early.millis());
  }

  @Test
  void idOrderIsUnsignedLikePostgres() {
    UUID low = UUID.fromString("7fffffff-ffff-4fff-bfff-ffffffffffff");
    UUID high = UUID.fromString("80000000-0000-4000-8000-000000000000");
    assertThat(JobIds.ORDER.compare(low, high)).isNegative();
    List<UUID> ids = new ArrayList<>(List.of(high, low));
    ids.sort(JobIds.ORDER);
    assertThat(ids).containsExactly(low, high);
  }

  @Test
  void cursorRoundTripsAndRefusesGarbage() {
    PageCursor c = new PageCursor(Instant.parse("2026-03-04T05:06:07.123456789Z"), UUID.randomUUID());
    assertThat(PageCursor.decode(c.encode())).isEqualTo(c);
    assertThatThrownBy(() -> PageCursor.decode("not-a-cursor"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cursor"));
  }

  @Test
  void queryChecksLimitAndCursor() {
    assertThatThrownBy(() -> JobQuery.forOwner("u").limit(0).build())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    assertThatThrownBy(() -> JobQuery.forOwner("u").limit(501).build()).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> JobQuery.forOwner("u").cursor("%%%").build())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cursor"));
    JobQuery q = JobQuery.forOwner("u").statuses(JobStatus.PENDING).types("a").build();
    assertThat(q.limit()).isEqualTo(JobQuery.DEFAULT_LIMIT);
    assertThat(q.sort()).isEqualTo(JobQuery.Sort.NEWEST_FIRST);
  }

  @Test
  void keywordModeratorMatchesWholeWordsInAnyCase() {
    KeywordContentModerator m = KeywordContentModerator.builder().block("violence", "gore", "kill").block("spam", "casino").build();
    ModerationResult r = m.moderate("u", "t", List.of("A lighthouse", "Some GORE and a Casino"));
    assertThat(r.flagged()).isTrue();
    assertThat(r.categories()).containsExactlyInAnyOrder("violence", "spam");
    assertThat(m.moderate("u", "t", List.of("skill and gorge")).flagged()).isFalse();
    assertThatThrownBy(() -> KeywordContentModerator.builder().block("x")).isInstanceOf(JobConfigurationException.class);
  }

  @Test
  void storeUrlPasswordsAreRedacted() {
    assertThat(JobStores.redact("jdbc:postgresql://h/db?user=a&password=secret&x=1"))
        .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&x=1");
    assertThat(JobStores.redact("postgres://user:pw@host/db")).isEqualTo("postgres://user:***@host/db");
  }

  @Test
  void unknownStoreUrlListsProviders() {
    assertThatThrownBy(() -> JobStores.open("nosuch:thing"))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("no job store provider supports 'nosuch:thing'");
  }

  @Test
  void eventsAndStatsAreBuiltWithNamedValuesAndRefuseMissingOnes() {
    UUID id = JobIds.newId(Clock.systemUTC());
    Instant at = Instant.parse("2026-12-02T10:00:00Z");
    JobEvent e = JobEvent.builder().sequence(7).kind(JobEvent.Kind.PROGRESS).jobId(id).ownerId("alice").type("haiku")
        .status(JobStatus.PROCESSING).progress(40).message("line 2").attempt(1).at(at).build();
    assertThat(e.sequence()).isEqualTo(7);
    assertThat(e.runAt()).isNull();
    assertThat(e.toBuilder().build()).isEqualTo(e).hasSameHashCodeAs(e);
    assertThat(e.toBuilder().progress(50).build()).isNotEqualTo(e);
    assertThat(e.toString()).contains("sequence=7").contains("kind=PROGRESS");
    assertThatThrownBy(() -> e.toBuilder().sequence(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence must be positive");
    assertThatThrownBy(() -> JobEvent.builder().sequence(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("JobEvent.Builder: kind is required");

    JobStats s = JobStats.builder().type("haiku").pending(1).completed(3).failed(1).build();
    assertThat(s.total()).isEqualTo(5);
    assertThat(s.successRate()).isEqualTo(0.75);
    assertThat(s.p99Duration()).isNull();
    assertThat(s.toBuilder().build()).isEqualTo(s).hasSameHashCodeAs(s);
    assertThatThrownBy(() -> JobStats.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("JobStats.Builder: type is required");
  }
}
