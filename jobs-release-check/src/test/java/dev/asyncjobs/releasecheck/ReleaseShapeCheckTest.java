package dev.asyncjobs.releasecheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check on a made-up reactor (two libraries, a BOM, an application) that has the right shape,
 * then broken one way at a time: each break is reported, naming the artifact and what it lacks.
 */
class ReleaseShapeCheckTest {
  private static final String VERSION = "1.2.3-SNAPSHOT";
  private static final String URL = "https://github.com/example/project";
  private static final String LICENCE_TEXT = read(Path.of("..", "LICENSE"));

  @TempDir Path root;

  @BeforeEach
  void goodReactor() throws IOException {
    write(root.resolve("LICENSE"), LICENCE_TEXT);
    write(root.resolve("NOTICE"), "example\n");
    write(root.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <groupId>dev.asyncjobs</groupId><artifactId>parent</artifactId><version>%s</version>
          <packaging>pom</packaging>
          <url>%s</url>
          <scm><connection>scm:git:%s.git</connection><developerConnection>scm:git:ssh://%s.git</developerConnection>
            <url>%s</url></scm>
          <modules><module>lib-a</module><module>lib-b</module><module>the-bom</module><module>app</module></modules>
        </project>
        """.formatted(VERSION, URL, URL, URL, URL));
    stamp(root, "parent", "pom", true, "");
    library("lib-a", "dev.asyncjobs.a", "dev/asyncjobs/a/A.class");
    library("lib-b", "dev.asyncjobs.b", "dev/asyncjobs/b/B.class");
    Path bom = root.resolve("the-bom");
    stamp(bom, "the-bom", "pom", false, "");
    write(bom.resolve(ReleaseShapeCheck.PUBLISHED_POM), publishedPom("the-bom", "pom", "", """
        <dependencyManagement><dependencies>
          <dependency><groupId>dev.asyncjobs</groupId><artifactId>lib-a</artifactId><version>%s</version></dependency>
          <dependency><groupId>dev.asyncjobs</groupId><artifactId>lib-b</artifactId><version>%s</version></dependency>
        </dependencies></dependencyManagement>
        """.formatted(VERSION, VERSION)));
    Path app = root.resolve("app");
    stamp(app, "app", "jar", true, "dev.asyncjobs.app");
  }

  private List<String> check() {
    return check(null);
  }

  private List<String> check(String started) {
    return new ReleaseShapeCheck(root, "dev.asyncjobs", VERSION, List.of("lib-a", "lib-b"), "the-bom", started).run();
  }

  @Test
  void aGoodReactorPasses() {
    assertThat(check()).isEmpty();
  }

  @Test
  void aMissingJavadocJarIsNamed() throws IOException {
    Files.delete(root.resolve("lib-b/target/lib-b-" + VERSION + "-javadoc.jar"));
    assertThat(check()).singleElement().asString().startsWith("lib-b: no javadoc jar");
  }

  @Test
  void aMissingSourcesJarIsNamed() throws IOException {
    Files.delete(root.resolve("lib-a/target/lib-a-" + VERSION + "-sources.jar"));
    assertThat(check()).singleElement().asString().startsWith("lib-a: no sources jar");
  }

  @Test
  void aPomWithoutLicencesIsNamed() throws IOException {
    Path pom = root.resolve("lib-a").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replaceAll("(?s)<licenses>.*</licenses>", ""));
    assertThat(check()).containsExactly("lib-a: the published POM has no <licenses>");
  }

  @Test
  void missingMetadataIsNamedElementByElement() throws IOException {
    Path pom = root.resolve("lib-b").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replaceAll("(?s)<developers>.*</developers>", "").replaceAll("<description>.*</description>", "")
        .replaceAll("(?s)<issueManagement>.*</issueManagement>", ""));
    assertThat(check()).containsExactlyInAnyOrder("lib-b: the published POM has no <description>",
        "lib-b: the published POM has no <developers>, or one without a name",
        "lib-b: the published POM has no <issueManagement><url>");
  }

  @Test
  void aUrlWithTheModuleAppendedIsNamed() throws IOException {
    Path pom = root.resolve("lib-a").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replace("<url>" + URL + "</url>\n  <licenses>", "<url>" + URL + "/lib-a</url>\n  <licenses>")
        .replace("<url>" + URL + "</url></scm>", "<url>" + URL + "/lib-a</url></scm>"));
    assertThat(check()).containsExactlyInAnyOrder(
        "lib-a: the published POM has url " + URL + "/lib-a, not the project's " + URL,
        "lib-a: the published POM has scm url " + URL + "/lib-a, not the project's " + URL);
  }

  @Test
  void aPublishedApplicationIsNamed() throws IOException {
    stamp(root.resolve("app"), "app", "jar", false, "dev.asyncjobs.app");
    assertThat(check()).singleElement().asString()
        .startsWith("app: is published (maven.deploy.skip is not true) but it is not a library");
  }

  @Test
  void anUnpublishedLibraryIsNamed() throws IOException {
    Path stamp = root.resolve("lib-b").resolve(ReleaseShapeCheck.STAMP);
    write(stamp, read(stamp).replace("maven.deploy.skip=false", "maven.deploy.skip=true")
        .replace("skipPublishing=false", "skipPublishing=true"));
    assertThat(check()).containsExactly("lib-b: is to be published but maven.deploy.skip is true");
  }

  @Test
  void aModuleThatWasNotBuiltIsNamed() throws IOException {
    Files.delete(root.resolve("app").resolve(ReleaseShapeCheck.STAMP));
    assertThat(check()).singleElement().asString().startsWith("app: no target/release-shape.properties");
  }

  @Test
  void aParentInThePublishedPomIsNamed() throws IOException {
    Path pom = root.resolve("lib-a").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replace("<modelVersion>", "<parent><artifactId>parent</artifactId></parent><modelVersion>"));
    assertThat(check()).containsExactly("lib-a: the published POM names a parent (parent), which is not published");
  }

  @Test
  void testAndUnpublishedDependenciesAreNamed() throws IOException {
    Path pom = root.resolve("lib-a").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replace("</dependencies>", """
          <dependency><groupId>dev.asyncjobs</groupId><artifactId>lib-b</artifactId><version>%s</version></dependency>
          <dependency><groupId>dev.asyncjobs</groupId><artifactId>app</artifactId><version>%s</version></dependency>
          <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5</version>
            <scope>test</scope></dependency>
        </dependencies>""".formatted(VERSION, VERSION)));
    assertThat(check()).containsExactlyInAnyOrder("lib-a: depends on dev.asyncjobs:app, which is not published",
        "lib-a: the published POM has a test dependency (org.junit.jupiter:junit-jupiter)");
  }

  @Test
  void aBomWithThirdPartyVersionsOrMissingALibraryIsNamed() throws IOException {
    Path pom = root.resolve("the-bom").resolve(ReleaseShapeCheck.PUBLISHED_POM);
    write(pom, read(pom).replace("<artifactId>lib-b</artifactId><version>" + VERSION + "</version>",
        "<artifactId>lib-b</artifactId><version>0.9</version>").replace("</dependencies></dependencyManagement>", """
          <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>
            <version>2.21.3</version></dependency>
        </dependencies></dependencyManagement>"""));
    assertThat(check()).containsExactlyInAnyOrder(
        "the-bom: manages dev.asyncjobs:lib-b at 0.9, not " + VERSION,
        "the-bom: manages com.fasterxml.jackson.core:jackson-databind, which is not a published library (a BOM of"
            + " third-party versions would override its users' choices)");
  }

  @Test
  void moduleNamesMustBeValidAndUniqueAndPackagesUnsplit() throws IOException {
    jar(root.resolve("lib-b/target/lib-b-" + VERSION + ".jar"), "dev.asyncjobs.a", "dev/asyncjobs/a/Other.class");
    stamp(root.resolve("lib-b"), "lib-b", "jar", false, "dev.asyncjobs.a");
    assertThat(check()).containsExactlyInAnyOrder(
        "lib-b: Automatic-Module-Name dev.asyncjobs.a is also that of lib-a",
        "lib-b: package dev.asyncjobs.a is split with lib-a (both jars hold it): not usable on the module path");

    jar(root.resolve("lib-b/target/lib-b-" + VERSION + ".jar"), "dev.asyncjobs.not-a-name", "dev/asyncjobs/b/B.class");
    stamp(root.resolve("lib-b"), "lib-b", "jar", false, "dev.asyncjobs.not-a-name");
    assertThat(check()).singleElement().asString().startsWith("lib-b: the JDK refuses the jar as a module");
  }

  @Test
  void aJarWithoutLicenceOrModuleNameIsNamed() throws IOException {
    Path jar = root.resolve("lib-a/target/lib-a-" + VERSION + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), new Manifest())) {
      entry(out, "dev/asyncjobs/a/A.class", "");
    }
    assertThat(check()).containsExactlyInAnyOrder("lib-a: the jar has no META-INF/LICENSE",
        "lib-a: the jar has no META-INF/NOTICE", "lib-a: the jar's manifest has no Automatic-Module-Name");
  }

  @Test
  void aJavadocWithoutTheOverviewIsNamed() throws IOException {
    Files.delete(root.resolve("lib-a/src/main/javadoc/overview.html"));
    write(root.resolve("lib-b/src/main/javadoc/overview.html"), "<html><body><p>Something else entirely.</p></body></html>");
    assertThat(check()).containsExactlyInAnyOrder("lib-a: no src/main/javadoc/overview.html saying what the module is",
        "lib-b: the javadoc's front page does not show src/main/javadoc/overview.html (\"Something else entirely.…\""
            + " not found in index.html)");
  }

  @Test
  void aStampOfAnotherBuildIsNamed() throws IOException {
    String started = "2026-12-02T05:00:00Z";
    for (Path dir : List.of(root, root.resolve("lib-a"), root.resolve("lib-b"), root.resolve("the-bom"), root.resolve("app"))) {
      Path stamp = dir.resolve(ReleaseShapeCheck.STAMP);
      write(stamp, read(stamp) + "buildStarted=" + started + "\n");
    }
    assertThat(check(started)).isEmpty();

    // app was not built by this reactor run: its stamp is of another build.
    Path appStamp = root.resolve("app").resolve(ReleaseShapeCheck.STAMP);
    write(appStamp, read(appStamp).replace("buildStarted=" + started, "buildStarted=2020-01-01T00:00:00Z"));
    assertThat(check(started)).containsExactly(
        "app: target/release-shape.properties is from the build of 2020-01-01T00:00:00Z, not this one (" + started
            + "): the module was not built by this reactor (run mvn verify from the root)");
  }

  @Test
  void aLibraryThatSkipsItsJavadocIsNamedEvenWithAnOldJarLeft() throws IOException {
    Path stamp = root.resolve("lib-a").resolve(ReleaseShapeCheck.STAMP);
    write(stamp, read(stamp).replace("maven.javadoc.skip=false", "maven.javadoc.skip=true"));
    assertThat(check()).containsExactly("lib-a: maven.javadoc.skip is true in this build: a library publishes its"
        + " sources, its javadoc and a flattened POM");
  }

  @Test
  void aLicenceThatIsNotApacheIsNamed() throws IOException {
    write(root.resolve("LICENSE"), "All rights reserved.\n");
    assertThat(check()).contains("root: LICENSE is not the Apache License 2.0 (no \"Apache License\")");
  }

  @Test
  void mainFailsWithEveryProblemInItsMessage() throws IOException {
    Files.delete(root.resolve("lib-b/target/lib-b-" + VERSION + "-javadoc.jar"));
    stamp(root.resolve("app"), "app", "jar", false, "dev.asyncjobs.app");
    assertThatThrownBy(() -> ReleaseShapeCheck.main(new String[] {"--root=" + root, "--group=dev.asyncjobs",
        "--version=" + VERSION, "--libraries=lib-a,lib-b", "--bom=the-bom"}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("The release shape is broken (2 problems)")
        .hasMessageContaining("lib-b: no javadoc jar")
        .hasMessageContaining("app: is published");
  }

  @Test
  void plainTextOfJavadocSourceMatchesTheRenderedPage() {
    assertThat(ReleaseShapeCheck.plain("<p>{@link dev.asyncjobs.store.memory.InMemoryJobStore}, the {@code x}</p>"))
        .isEqualTo("InMemoryJobStore, the x");
    assertThat(ReleaseShapeCheck.plain("<div class=\"block\"><p><a href=\"A.html\"><code>InMemoryJobStore</code></a>,"
        + " the <code>x</code>")).isEqualTo("InMemoryJobStore, the x");
  }

  // ------------------------------------------------------------------------------- the fixture

  private void library(String id, String moduleName, String classEntry) throws IOException {
    Path dir = root.resolve(id);
    Path target = dir.resolve("target");
    stamp(dir, id, "jar", false, moduleName);
    jar(target.resolve(id + "-" + VERSION + ".jar"), moduleName, classEntry);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target.resolve(id + "-" + VERSION + "-sources.jar")))) {
      entry(out, classEntry.replace(".class", ".java"), "class X {}");
      entry(out, "META-INF/LICENSE", LICENCE_TEXT);
    }
    write(dir.resolve("src/main/javadoc/overview.html"),
        "<html><body><p>The library {@link dev.asyncjobs.Thing} of " + id + ".</p></body></html>");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target.resolve(id + "-" + VERSION + "-javadoc.jar")))) {
      entry(out, "index.html", "<html><body><main><div class=\"block\"><p>The library <a href=\"dev/asyncjobs/Thing.html\">"
          + "<code>Thing</code></a> of " + id + ".</p></div></main></body></html>");
      entry(out, "element-list", "dev.asyncjobs\n");
    }
    write(dir.resolve(ReleaseShapeCheck.PUBLISHED_POM), publishedPom(id, null, """
        <dependencies>
          <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version>
            <scope>compile</scope></dependency>
        </dependencies>
        """, ""));
  }

  private static void jar(Path file, String moduleName, String classEntry) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Automatic-Module-Name", moduleName);
    Files.createDirectories(file.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
      entry(out, classEntry, "");
      entry(out, "META-INF/LICENSE", LICENCE_TEXT);
      entry(out, "META-INF/NOTICE", "example\n");
    }
  }

  private static String publishedPom(String id, String packaging, String dependencies, String management) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>dev.asyncjobs</groupId>
          <artifactId>%s</artifactId>
          <version>%s</version>
          %s
          <name>%s</name>
          <description>What %s is.</description>
          <url>%s</url>
          <licenses>
            <license><name>Apache-2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license>
          </licenses>
          <developers><developer><id>x</id><name>The maintainers</name></developer></developers>
          <scm><connection>scm:git:%s.git</connection><developerConnection>scm:git:ssh://%s.git</developerConnection>
            <url>%s</url></scm>
          <issueManagement><url>%s/issues</url></issueManagement>
          %s%s
        </project>
        """.formatted(id, VERSION, packaging == null ? "" : "<packaging>" + packaging + "</packaging>", id, id, URL, URL,
        URL, URL, URL, dependencies, management);
  }

  private static void stamp(Path dir, String id, String packaging, boolean skip, String moduleName) throws IOException {
    Map<String, String> p = Map.of("groupId", "dev.asyncjobs", "artifactId", id, "version", VERSION, "packaging",
        packaging, "maven.deploy.skip", String.valueOf(skip), "skipPublishing", String.valueOf(skip),
        "maven.source.skip", String.valueOf(skip), "maven.javadoc.skip", String.valueOf(skip),
        "flatten.skip", String.valueOf(skip), "automatic.module.name", moduleName);
    StringBuilder text = new StringBuilder();
    p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    write(dir.resolve(ReleaseShapeCheck.STAMP), text.toString());
  }

  private static void entry(JarOutputStream out, String name, String content) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.write(content.getBytes(StandardCharsets.UTF_8));
    out.closeEntry();
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
