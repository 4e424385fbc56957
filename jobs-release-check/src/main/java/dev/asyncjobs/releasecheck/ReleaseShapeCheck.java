package dev.asyncjobs.releasecheck;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks, at the end of {@code mvn verify}, that what the build would publish to Maven Central has
 * the shape Central and users need, and fails naming the artifact and what it lacks.
 *
 * <p>It reads what the modules built: each module's {@code target/release-shape.properties} (its
 * effective publishing switches, written by the parent POM's antrun execution), the published POM
 * ({@code target/published-pom.xml}, written by flatten-maven-plugin) and the jars. It checks:
 *
 * <ul>
 *   <li>the root {@code LICENSE} is the Apache License 2.0 and a {@code NOTICE} is there;
 *   <li>exactly the libraries and the BOM are published ({@code maven.deploy.skip=false}, the same
 *       as {@code skipPublishing}), and no other module of the reactor;
 *   <li>each library has its jar (with an {@code Automatic-Module-Name} that is valid, unique and
 *       shares no package with another library, and the licence and notice under {@code
 *       META-INF}), a sources jar and a javadoc jar with an overview page;
 *   <li>each published POM names no parent and carries name, description, url, licences,
 *       developers, scm and issueManagement (url and scm those of the project, not with the module
 *       appended), and no test dependency nor a dependency on an unpublished module;
 *   <li>the BOM manages exactly the libraries, at this version, and nothing else.
 * </ul>
 */
public final class ReleaseShapeCheck {
  static final String STAMP = "target/release-shape.properties";
  static final String PUBLISHED_POM = "target/published-pom.xml";

  private final Path root;
  private final String group;
  private final String version;
  private final List<String> libraries;
  private final String bom;
  /** The build's {@code maven.build.timestamp}, or null: then stamps of earlier builds are not looked for. */
  private final String started;
  private final List<String> problems = new ArrayList<>();

  ReleaseShapeCheck(Path root, String group, String version, List<String> libraries, String bom,
      String started) {
    this.root = root.toAbsolutePath().normalize();
    this.group = group;
    this.version = version;
    this.libraries = List.copyOf(libraries);
    this.bom = bom;
    this.started = started;
  }

  /**
   * Runs the check; arguments {@code --root=… --group=… --version=… --libraries=a,b,… --bom=…} and
   * optionally {@code --started=…}, the build's {@code maven.build.timestamp}: then the stamps of
   * modules that another build wrote are reported as leftovers.
   *
   * @param args the arguments
   * @throws IllegalStateException listing every problem, when there is one
   */
  public static void main(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      a.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    ReleaseShapeCheck check = new ReleaseShapeCheck(Path.of(required(a, "root")), required(a, "group"),
        required(a, "version"), Arrays.asList(required(a, "libraries").split(",")), required(a, "bom"),
        a.get("started"));
    List<String> problems = check.run();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("The release shape is broken (" + problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + "):\n  - " + String.join("\n  - ", problems) + "\n");
    }
    System.out.println("[release-shape] OK: publishes " + String.join(", ", check.libraries) + " (jar, sources,"
        + " javadoc, POM) and " + check.bom + " (POM); every other module stays unpublished.");
  }

  private static String required(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing --" + name + "=…");
    }
    return v.trim();
  }

  /** Every problem found, each naming the artifact and what it lacks; empty when the shape holds. */
  List<String> run() {
    problems.clear();
    checkLicenceFiles();
    Pom rootPom = Pom.read(root.resolve("pom.xml"));
    if (rootPom == null) {
      problems.add("root: no readable pom.xml in " + root);
      return List.copyOf(problems);
    }
    Map<String, Path> modules = new LinkedHashMap<>();
    Map<String, Properties> stamps = new LinkedHashMap<>();
    List<Path> dirs = new ArrayList<>();
    dirs.add(root);
    for (String m : rootPom.modules()) {
      dirs.add(root.resolve(m).normalize());
    }
    for (Path dir : dirs) {
      Properties stamp = stamp(dir);
      if (stamp == null) {
        continue;
      }
      String id = stamp.getProperty("artifactId");
      modules.put(id, dir);
      stamps.put(id, stamp);
    }
    Set<String> expected = new LinkedHashSet<>(libraries);
    expected.add(bom);
    Set<String> published = new LinkedHashSet<>();
    stamps.forEach((id, stamp) -> {
      boolean deploys = "false".equals(stamp.getProperty("maven.deploy.skip"));
      if (!Objects.equals(stamp.getProperty("maven.deploy.skip"), stamp.getProperty("skipPublishing"))) {
        problems.add(id + ": maven.deploy.skip (" + stamp.getProperty("maven.deploy.skip") + ") and skipPublishing ("
            + stamp.getProperty("skipPublishing") + ") disagree: the Central bundle would not match a plain deploy");
      }
      if (deploys) {
        published.add(id);
        if (!expected.contains(id)) {
          problems.add(id + ": is published (maven.deploy.skip is not true) but it is not a library: set"
              + " maven.deploy.skip to true in its pom.xml, or add it to release.libraries in jobs-release-check");
        }
      } else if (!expected.contains(id) && "jar".equals(stamp.getProperty("packaging"))
          && !("true".equals(stamp.getProperty("maven.source.skip"))
              && "true".equals(stamp.getProperty("maven.javadoc.skip")))) {
        problems.add(id + ": is not published but builds a sources or javadoc jar: set maven.source.skip and"
            + " maven.javadoc.skip to true");
      }
    });
    for (String id : expected) {
      if (!stamps.containsKey(id)) {
        problems.add(id + ": is to be published but is not a module of the reactor (no " + STAMP + ")");
      } else if (!published.contains(id)) {
        problems.add(id + ": is to be published but maven.deploy.skip is true");
      }
    }
    Map<String, String> moduleNames = new LinkedHashMap<>();
    Map<String, String> packageOwners = new HashMap<>();
    for (String lib : libraries) {
      if (modules.containsKey(lib)) {
        checkLibrary(lib, modules.get(lib), stamps.get(lib), rootPom, published, moduleNames, packageOwners);
      }
    }
    if (modules.containsKey(bom)) {
      checkBom(modules.get(bom), stamps.get(bom), rootPom);
    }
    return List.copyOf(problems);
  }

  /** Whether {@code file} exists; reports it when not. */
  private boolean exists(String id, Path file, String what, String hint) {
    if (!Files.isRegularFile(file)) {
      problems.add(id + ": no " + what + " (" + root.relativize(file) + ")" + hint);
      return false;
    }
    return true;
  }

  private void checkLicenceFiles() {
    Path licence = root.resolve("LICENSE");
    if (!Files.isRegularFile(licence)) {
      problems.add("root: no LICENSE file");
    } else {
      String text = read(licence);
      for (String s : List.of("Apache License", "Version 2.0, January 2004",
          "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS")) {
        if (!text.contains(s)) {
          problems.add("root: LICENSE is not the Apache License 2.0 (no \"" + s + "\")");
          break;
        }
      }
    }
    if (!Files.isRegularFile(root.resolve("NOTICE"))) {
      problems.add("root: no NOTICE file");
    }
  }

  private Properties stamp(Path dir) {
    Path file = dir.resolve(STAMP);
    String module = root.equals(dir) ? "root" : root.relativize(dir).toString();
    if (!Files.isRegularFile(file)) {
      problems.add(module + ": no " + STAMP + ": the module was not built by this reactor (run mvn verify from the root)");
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      problems.add(module + ": unreadable " + STAMP + ": " + e.getMessage());
      return null;
    }
    if (!version.equals(p.getProperty("version"))) {
      problems.add(module + ": " + STAMP + " is of version " + p.getProperty("version") + ", not " + version
          + ": the module was not built by this reactor");
      return null;
    }
    if (started != null && !started.equals(p.getProperty("buildStarted"))) {
      problems.add(module + ": " + STAMP + " is from the build of " + p.getProperty("buildStarted") + ", not this one ("
          + started + "): the module was not built by this reactor (run mvn verify from the root)");
      return null;
    }
    return p;
  }

  private void checkLibrary(String id, Path dir, Properties stamp, Pom rootPom, Set<String> published,
      Map<String, String> moduleNames, Map<String, String> packageOwners) {
    if (!"jar".equals(stamp.getProperty("packaging"))) {
      problems.add(id + ": a library must be a jar, is " + stamp.getProperty("packaging"));
      return;
    }
    for (String skip : List.of("maven.source.skip", "maven.javadoc.skip", "flatten.skip")) {
      if (!"false".equals(stamp.getProperty(skip))) {
        problems.add(id + ": " + skip + " is " + stamp.getProperty(skip) + " in this build: a library publishes its"
            + " sources, its javadoc and a flattened POM");
      }
    }
    Path target = dir.resolve("target");
    String base = id + "-" + version;
    Path jar = target.resolve(base + ".jar");
    if (exists(id, jar, "jar", "")) {
      checkJar(id, jar, stamp, moduleNames, packageOwners);
    }
    Path sources = target.resolve(base + "-sources.jar");
    if (exists(id, sources, "sources jar", ": is maven.source.skip true?")) {
      Set<String> entries = entries(id, sources);
      if (entries.stream().noneMatch(e -> e.endsWith(".java"))) {
        problems.add(id + ": the sources jar holds no .java file (" + root.relativize(sources) + ")");
      }
      if (!entries.contains("META-INF/LICENSE")) {
        problems.add(id + ": the sources jar has no META-INF/LICENSE");
      }
    }
    Path javadoc = target.resolve(base + "-javadoc.jar");
    if (exists(id, javadoc, "javadoc jar", ": is maven.javadoc.skip true?")) {
      Set<String> entries = entries(id, javadoc);
      if (!entries.contains("index.html") || !entries.contains("element-list")) {
        problems.add(id + ": the javadoc jar has no index.html or element-list (" + root.relativize(javadoc) + ")");
      } else {
        checkOverview(id, dir, javadoc);
      }
    }
    Pom pom = publishedPom(id, dir);
    if (pom != null) {
      checkMetadata(id, pom, stamp, rootPom);
      for (Element d : pom.dependencies()) {
        String coordinates = text(d, "groupId") + ":" + text(d, "artifactId");
        String scope = text(d, "scope");
        String v = text(d, "version");
        if ("test".equals(scope)) {
          problems.add(id + ": the published POM has a test dependency (" + coordinates + ")");
        }
        if (v == null || v.contains("${")) {
          problems.add(id + ": the published POM has no resolved version for " + coordinates + " (" + v + ")");
        }
        if (group.equals(text(d, "groupId")) && !published.contains(text(d, "artifactId"))
            && !"test".equals(scope)) {
          problems.add(id + ": depends on " + coordinates + ", which is not published");
        }
      }
    }
  }

  /** The module's overview.html exists and its opening words are on the javadoc's front page. */
  private void checkOverview(String id, Path dir, Path javadoc) {
    Path overview = dir.resolve("src/main/javadoc/overview.html");
    if (!Files.isRegularFile(overview)) {
      problems.add(id + ": no src/main/javadoc/overview.html saying what the module is");
      return;
    }
    String body = read(overview).replaceAll("(?s).*<body[^>]*>", "");
    String[] words = plain(body).split(" ");
    String opening = String.join(" ", Arrays.copyOfRange(words, 0, Math.min(4, words.length)));
    String front;
    try (JarFile j = new JarFile(javadoc.toFile()); InputStream in = j.getInputStream(j.getEntry("index.html"))) {
      front = plain(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      problems.add(id + ": unreadable index.html in " + root.relativize(javadoc));
      return;
    }
    if (opening.isBlank() || !front.contains(opening)) {
      problems.add(id + ": the javadoc's front page does not show src/main/javadoc/overview.html (\"" + opening
          + "…\" not found in index.html)");
    }
  }

  /** Text of HTML or javadoc source: {@literal {@link a.B}} as {@code B}, tags dropped, spaces collapsed. */
  static String plain(String html) {
    String s = html.replaceAll("\\{@(?:link|linkplain)\\s+(?:[\\w.]*\\.)?([\\w#]+)[^}]*\\}", "$1")
        .replaceAll("\\{@(?:code|literal)\\s+([^}]*)\\}", "$1")
        .replaceAll("(?s)<script.*?</script>", " ")
        .replaceAll("(?s)<[^>]*>", " ")
        .replace("&nbsp;", " ");
    return s.replaceAll("\\s+", " ").replaceAll(" ([,.;:])", "$1").trim();
  }

  private void checkJar(String id, Path jar, Properties stamp, Map<String, String> moduleNames,
      Map<String, String> packageOwners) {
    String declared = null;
    try (JarFile j = new JarFile(jar.toFile())) {
      declared = j.getManifest() == null ? null : j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
      if (j.getEntry("META-INF/LICENSE") == null) {
        problems.add(id + ": the jar has no META-INF/LICENSE");
      } else {
        try (InputStream in = j.getInputStream(j.getEntry("META-INF/LICENSE"))) {
          if (!new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).equals(read(root.resolve("LICENSE")))) {
            problems.add(id + ": the jar's META-INF/LICENSE is not the root LICENSE");
          }
        }
      }
      if (j.getEntry("META-INF/NOTICE") == null) {
        problems.add(id + ": the jar has no META-INF/NOTICE");
      }
    } catch (IOException e) {
      problems.add(id + ": unreadable jar " + root.relativize(jar) + ": " + e.getMessage());
      return;
    }
    if (declared == null || declared.isBlank()) {
      problems.add(id + ": the jar's manifest has no Automatic-Module-Name");
      return;
    }
    if (!declared.equals(stamp.getProperty("automatic.module.name"))) {
      problems.add(id + ": Automatic-Module-Name " + declared + " is not automatic.module.name "
          + stamp.getProperty("automatic.module.name"));
    }
    if (!declared.startsWith(group + ".")) {
      problems.add(id + ": Automatic-Module-Name " + declared + " does not start with " + group + ".");
    }
    ModuleDescriptor descriptor;
    try {
      Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
      descriptor = found.iterator().next().descriptor();
    } catch (FindException e) {
      problems.add(id + ": the JDK refuses the jar as a module: " + e.getMessage());
      return;
    }
    String other = moduleNames.putIfAbsent(descriptor.name(), id);
    if (other != null) {
      problems.add(id + ": Automatic-Module-Name " + descriptor.name() + " is also that of " + other);
    }
    for (String p : descriptor.packages()) {
      String owner = packageOwners.putIfAbsent(p, id);
      if (owner != null) {
        problems.add(id + ": package " + p + " is split with " + owner + " (both jars hold it): not usable on the module path");
      }
    }
  }

  private void checkBom(Path dir, Properties stamp, Pom rootPom) {
    if (!"pom".equals(stamp.getProperty("packaging"))) {
      problems.add(bom + ": a BOM must have packaging pom, has " + stamp.getProperty("packaging"));
    }
    if (!"false".equals(stamp.getProperty("flatten.skip"))) {
      problems.add(bom + ": flatten.skip is " + stamp.getProperty("flatten.skip") + " in this build: the BOM would be"
          + " published with its parent's third-party dependencyManagement");
    }
    Pom pom = publishedPom(bom, dir);
    if (pom == null) {
      return;
    }
    checkMetadata(bom, pom, stamp, rootPom);
    if (!pom.dependencies().isEmpty()) {
      problems.add(bom + ": a BOM must not have dependencies, has " + pom.dependencies().size());
    }
    Set<String> managed = new TreeSet<>();
    for (Element d : pom.managedDependencies()) {
      String coordinates = text(d, "groupId") + ":" + text(d, "artifactId");
      if (!group.equals(text(d, "groupId")) || !libraries.contains(text(d, "artifactId"))) {
        problems.add(bom + ": manages " + coordinates + ", which is not a published library (a BOM of third-party"
            + " versions would override its users' choices)");
        continue;
      }
      if (!version.equals(text(d, "version"))) {
        problems.add(bom + ": manages " + coordinates + " at " + text(d, "version") + ", not " + version);
      }
      if (text(d, "scope") != null || text(d, "type") != null) {
        problems.add(bom + ": manages " + coordinates + " with a scope or type");
      }
      managed.add(text(d, "artifactId"));
    }
    for (String lib : libraries) {
      if (!managed.contains(lib)) {
        problems.add(bom + ": does not manage " + group + ":" + lib);
      }
    }
  }

  private Pom publishedPom(String id, Path dir) {
    Path file = dir.resolve(PUBLISHED_POM);
    if (!exists(id, file, "published POM", ": is flatten.skip true?")) {
      return null;
    }
    Pom pom = Pom.read(file);
    if (pom == null) {
      problems.add(id + ": unreadable published POM (" + root.relativize(file) + ")");
    }
    return pom;
  }

  private void checkMetadata(String id, Pom pom, Properties stamp, Pom rootPom) {
    String where = id + ": the published POM";
    Element p = pom.project;
    if (child(p, "parent") != null) {
      problems.add(where + " names a parent (" + text(child(p, "parent"), "artifactId") + "), which is not published");
    }
    expect(where, "groupId", text(p, "groupId"), stamp.getProperty("groupId"));
    expect(where, "artifactId", text(p, "artifactId"), id);
    expect(where, "version", text(p, "version"), version);
    String packaging = text(p, "packaging") == null ? "jar" : text(p, "packaging");
    expect(where, "packaging", packaging, stamp.getProperty("packaging"));
    for (String element : List.of("name", "description", "url")) {
      if (blank(text(p, element))) {
        problems.add(where + " has no <" + element + ">");
      }
    }
    if (!blank(text(p, "url")) && !Objects.equals(text(p, "url"), text(rootPom.project, "url"))) {
      problems.add(where + " has url " + text(p, "url") + ", not the project's " + text(rootPom.project, "url"));
    }
    List<Element> licences = children(child(p, "licenses"), "license");
    if (licences.isEmpty()) {
      problems.add(where + " has no <licenses>");
    } else if (licences.stream().noneMatch(l -> "Apache-2.0".equals(text(l, "name"))
        && String.valueOf(text(l, "url")).contains("apache.org/licenses/LICENSE-2.0"))) {
      problems.add(where + " does not declare the Apache-2.0 licence (name Apache-2.0 and its apache.org url)");
    }
    List<Element> developers = children(child(p, "developers"), "developer");
    if (developers.isEmpty() || developers.stream().anyMatch(d -> blank(text(d, "name")))) {
      problems.add(where + " has no <developers>, or one without a name");
    }
    Element scm = child(p, "scm");
    Element rootScm = child(rootPom.project, "scm");
    if (scm == null) {
      problems.add(where + " has no <scm>");
    } else {
      for (String element : List.of("connection", "developerConnection", "url")) {
        if (blank(text(scm, element))) {
          problems.add(where + " has no <scm><" + element + ">");
        } else if (rootScm != null && !Objects.equals(text(scm, element), text(rootScm, element))) {
          problems.add(where + " has scm " + element + " " + text(scm, element) + ", not the project's "
              + text(rootScm, element));
        }
      }
    }
    if (blank(text(child(p, "issueManagement"), "url"))) {
      problems.add(where + " has no <issueManagement><url>");
    }
    if (child(p, "repositories") != null) {
      problems.add(where + " declares <repositories>: Central artifacts must resolve from Central alone");
    }
  }

  private void expect(String where, String element, String actual, String wanted) {
    if (!Objects.equals(actual, wanted)) {
      problems.add(where + " has " + element + " " + actual + ", not " + wanted);
    }
  }

  private Set<String> entries(String id, Path jar) {
    try (JarFile j = new JarFile(jar.toFile())) {
      return j.stream().map(e -> e.getName()).collect(Collectors.toCollection(LinkedHashSet::new));
    } catch (IOException e) {
      problems.add(id + ": unreadable " + root.relativize(jar) + ": " + e.getMessage());
      return Set.of();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
        return e;
      }
    }
    return null;
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
        out.add(e);
      }
    }
    return out;
  }

  static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  /** A POM file, read without Maven: only what is written in it. */
  static final class Pom {
    final Element project;

    private Pom(Element project) {
      this.project = project;
    }

    static Pom read(Path file) {
      try {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        return new Pom(doc.getDocumentElement());
      } catch (Exception e) {
        return null;
      }
    }

    List<String> modules() {
      return children(child(project, "modules"), "module").stream().map(e -> e.getTextContent().trim()).toList();
    }

    List<Element> dependencies() {
      return children(child(project, "dependencies"), "dependency");
    }

    List<Element> managedDependencies() {
      return children(child(child(project, "dependencyManagement"), "dependencies"), "dependency");
    }
  }
}
