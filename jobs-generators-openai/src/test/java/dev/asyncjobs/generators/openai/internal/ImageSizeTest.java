package dev.asyncjobs.generators.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nearest supported size: by shape first, then by area. */
class ImageSizeTest {
  @Test
  void prefersTheShapeThenTheArea() {
    var dalle3 = ImageModelFamily.DALL_E_3.sizes();
    assertThat(new ImageSize(1920, 1080).nearest(dalle3)).isEqualTo(new ImageSize(1792, 1024));
    assertThat(new ImageSize(1080, 1920).nearest(dalle3)).isEqualTo(new ImageSize(1024, 1792));
    assertThat(new ImageSize(500, 500).nearest(dalle3)).isEqualTo(new ImageSize(1024, 1024));
    // On a log scale 4:3 is a little nearer to 7:4 (0.27) than to 1:1 (0.29); 11:10 is near 1:1.
    assertThat(new ImageSize(1200, 900).nearest(dalle3)).isEqualTo(new ImageSize(1792, 1024));
    assertThat(new ImageSize(1100, 1000).nearest(dalle3)).isEqualTo(new ImageSize(1024, 1024));
    assertThat(new ImageSize(300, 300).nearest(ImageModelFamily.DALL_E_2.sizes())).isEqualTo(new ImageSize(256, 256));
    assertThat(new ImageSize(600, 600).nearest(ImageModelFamily.DALL_E_2.sizes())).isEqualTo(new ImageSize(512, 512));
  }

  @Test
  void parsesWidthByHeight() {
    assertThat(ImageSize.parse("1200x628")).isEqualTo(new ImageSize(1200, 628));
    assertThat(ImageSize.parse(" 640 X 480 ")).isEqualTo(new ImageSize(640, 480));
    assertThat(ImageSize.parse("640×480")).isEqualTo(new ImageSize(640, 480));
    assertThat(ImageSize.parse("wide")).isNull();
    assertThat(ImageSize.parse("640x")).isNull();
  }

  @Test
  void knowsTheModelFamilies() {
    assertThat(ImageModelFamily.of("dall-e-2")).isEqualTo(ImageModelFamily.DALL_E_2);
    assertThat(ImageModelFamily.of("DALL-E-3")).isEqualTo(ImageModelFamily.DALL_E_3);
    assertThat(ImageModelFamily.of("gpt-image-1-mini")).isEqualTo(ImageModelFamily.GPT_IMAGE);
    assertThat(ImageModelFamily.of("some-proxy-model")).isEqualTo(ImageModelFamily.DALL_E_3);
  }
}
