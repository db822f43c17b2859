package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * `mvn verify` must not depend on what a few seconds of fuzzing happen to find: the profile that
 * fuzzes runs only when asked for (-Dfuzz, as scripts/fuzz.sh does); verify replays kept inputs.
 */
class LiveFuzzingIsOptInTest {
    @Test
    void theFuzzProfileRunsOnlyWithDashDFuzz() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (!text(profile, "id").equals("fuzz")) continue;
            Element activation = (Element) profile.getElementsByTagName("activation").item(0);
            assertNotEquals("true", text(activation, "activeByDefault"), "active by default");
            assertEquals("fuzz", text(activation, "name"), "activated by the property fuzz being set");
            return;
        }
        throw new AssertionError("pom.xml has no fuzz profile (scripts/fuzz.sh runs its execution)");
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }
}
