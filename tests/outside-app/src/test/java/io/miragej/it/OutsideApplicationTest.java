package io.miragej.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application built outside the reactor, as a user builds one: its pom imports the BOM and
 * lists mirage-types and one backend without versions. Changing the backend dependency is the only
 * change needed to run it on another backend; none or two backends stop it with a message that
 * says which dependency to add or remove.
 */
class OutsideApplicationTest {
    static final String UNIX = """
            <dependency>
                  <groupId>io.miragej</groupId>
                  <artifactId>mirage-unix</artifactId>
                </dependency>""";
    static final String FAKE = """
            <dependency>
                  <groupId>com.example</groupId>
                  <artifactId>mirage-fake</artifactId>
                  <version>1.0</version>
                </dependency>""";

    @TempDir
    static Path work;

    /** Installs the second ("fake") backend, a project of its own, into the local repository. */
    @BeforeAll
    static void installFakeBackend() throws Exception {
        Path fake = copyProject("fake-backend", work.resolve("fake-backend"));
        Run r = Run.maven(fake, "install");
        assertEquals(0, r.status(), r.output());
    }

    static Path copyProject(String name, Path to) throws IOException {
        Path from = Path.of("src/test/resources", name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, Files.readString(f).replace("@MIRAGE_VERSION@", Run.VERSION));
                }
            }
        }
        return to;
    }

    /** Builds the greeter with {@code backends} in its pom and runs it. */
    static Run buildAndRun(String dir, String backends, String... args) throws Exception {
        Path app = copyProject("app", work.resolve(dir));
        Path pom = app.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("<!--BACKEND-->", backends));
        Run build = Run.maven(app, "package");
        assertEquals(0, build.status(), build.output());
        List<String> cmd = new java.util.ArrayList<>(List.of(Run.JAVA, "-jar", app.resolve("target/greeter.jar").toString()));
        cmd.addAll(List.of(args));
        return Run.of(app, Map.of(), 60, cmd);
    }

    @Test
    void runsOnTheUnixBackendWithOnlyTheBomAndOneBackendInItsPom() throws Exception {
        Run run = buildAndRun("on-unix", UNIX, "--name=MirageJ");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("hello, MirageJ, from outside the reactor"), run.output());
        assertTrue(!run.output().contains("[fake console]"), run.output());
    }

    @Test
    void swappingTheBackendArtifactIsTheOnlyChange() throws Exception {
        Run run = buildAndRun("on-fake", FAKE);
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("[fake console] hello, world, from outside the reactor"), run.output());
    }

    @Test
    void noBackendNamesTheDependencyToAdd() throws Exception {
        Run run = buildAndRun("no-backend", "");
        assertEquals(2, run.status(), run.output());
        assertTrue(run.output().contains("no MirageJ backend is on the class path"), run.output());
        assertTrue(run.output().contains("<artifactId>mirage-unix</artifactId>"), run.output());
    }

    @Test
    void twoBackendsAreBothNamed() throws Exception {
        Run run = buildAndRun("two-backends", UNIX + FAKE);
        assertEquals(2, run.status(), run.output());
        assertTrue(run.output().contains("found 2 MirageJ backends"), run.output());
        assertTrue(run.output().contains("unix (io.miragej:mirage-unix, from mirage-unix-" + Run.VERSION + ".jar)"), run.output());
        assertTrue(run.output().contains("fake (com.example:mirage-fake, from mirage-fake-1.0.jar)"), run.output());
    }

}
