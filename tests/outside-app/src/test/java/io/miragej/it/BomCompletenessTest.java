package io.miragej.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Keeps the BOM complete mechanically: every library and backend the reactor builds (a jar whose
 * artifactId starts with {@code mirage-}, outside examples/ and tests/) must be pinned in the BOM,
 * and the BOM pins nothing the reactor does not build (third-party pins aside).
 */
class BomCompletenessTest {

    static Element project(Path pom) throws Exception {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        return d.getDocumentElement();
    }

    static String child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c.getTextContent().trim();
            }
        }
        return null;
    }

    static void collect(Path dir, List<String> artifacts) throws Exception {
        Element p = project(dir.resolve("pom.xml"));
        String packaging = child(p, "packaging");
        String id = child(p, "artifactId");
        String rel = Run.ROOT.toAbsolutePath().normalize().relativize(dir.toAbsolutePath().normalize()).toString();
        boolean userFacing = !rel.startsWith("examples") && !rel.startsWith("tests");
        if ((packaging == null || packaging.equals("jar")) && id.startsWith("mirage-") && userFacing) {
            artifacts.add(id);
        }
        NodeList modules = p.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            collect(dir.resolve(modules.item(i).getTextContent().trim()), artifacts);
        }
    }

    @Test
    void theBomPinsExactlyTheReactorsArtifacts() throws Exception {
        List<String> built = new ArrayList<>();
        collect(Run.ROOT, built);
        TreeSet<String> pinned = new TreeSet<>();
        Matcher m = Pattern.compile("<groupId>io\\.miragej</groupId>\\s*<artifactId>([^<]+)</artifactId>")
                .matcher(Files.readString(Run.ROOT.resolve("bom/pom.xml")).split("<dependencyManagement>", 2)[1]);
        while (m.find()) {
            pinned.add(m.group(1));
        }
        assertEquals(new TreeSet<>(built), pinned,
                "bom/pom.xml must list every reactor artifact (and only those): add or remove entries there");
    }
}
