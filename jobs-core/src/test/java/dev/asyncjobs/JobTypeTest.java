package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Typed job types: one constant for the generator and the caller, JSON written from the record. */
class JobTypeTest {
  record Haiku(String topic, int lines) {}

  static final JobType<Haiku> HAIKU = JobType.of("haiku", Haiku.class);

  @Test
  void aTypedRequestCarriesTheTypesNameAndThePayloadAsJson() {
    JobRequest r = JobRequest.of("alice", HAIKU, new Haiku("rain", 3));
    assertThat(r.ownerId()).isEqualTo("alice");
    assertThat(r.type()).isEqualTo("haiku");
    assertThat(r.payload()).isEqualTo("{\"topic\":\"rain\",\"lines\":3}");

    JobRequest later = JobRequest.builder("alice", HAIKU, new Haiku("snow", 3)).priority(9).maxAttempts(1).build();
    assertThat(later.priority()).isEqualTo(9);
    assertThat(later.maxAttempts()).isEqualTo(1);
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void aPayloadOfAnotherClassThroughRawTypesIsRefusedWithTheField() {
    JobType raw = HAIKU;
    assertThatThrownBy(() -> JobRequest.of("alice", raw, "not a haiku"))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload"))
        .hasMessageContaining(Haiku.class.getName()).hasMessageContaining("java.lang.String");
  }

  @Test
  void aNameWithWhitespaceOrNothingIsRefusedWithTheRule() {
    for (String bad : new String[] {"", "image generation", "tab\there", "x".repeat(256)}) {
      assertThatThrownBy(() -> JobType.of(bad, Haiku.class)).as(bad)
          .isInstanceOf(JobConfigurationException.class).hasMessageContaining("1-255 characters");
    }
  }

  @Test
  void aGeneratorsTypeIsItsNameAndPayloadClass() {
    Generator<Haiku> g = new Generator<>() {
      @Override
      public String type() {
        return HAIKU.name();
      }

      @Override
      public Class<Haiku> payloadType() {
        return HAIKU.payloadType();
      }

      @Override
      public Object generate(Haiku payload, JobContext context) {
        return payload.topic();
      }
    };
    assertThat(g.jobType()).isEqualTo(HAIKU).hasToString("haiku<Haiku>");
    assertThat(JobType.of("haiku", Haiku.class)).hasSameHashCodeAs(HAIKU);
    assertThat(JobType.of("haiku", String.class)).isNotEqualTo(HAIKU);
  }

  @Test
  void anAbstractGeneratorTakesItsTypeAndPayloadClassFromItsJobType() {
    Generator<Haiku> g = new AbstractGenerator<>(HAIKU) {
      @Override
      public Object generate(Haiku payload, JobContext context) {
        return payload.topic();
      }
    };
    assertThat(g.type()).isEqualTo("haiku");
    assertThat(g.payloadType()).isEqualTo(Haiku.class);
    assertThat(g.jobType()).isSameAs(HAIKU);
    assertThatThrownBy(() -> new AbstractGenerator<Haiku>(nullType()) {
      @Override
      public Object generate(Haiku payload, JobContext context) {
        return "";
      }
    }).isInstanceOf(NullPointerException.class).hasMessageContaining("jobType");
  }

  private static JobType<Haiku> nullType() {
    return null;
  }
}
