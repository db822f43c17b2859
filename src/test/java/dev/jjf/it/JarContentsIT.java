package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** The packaged jar carries what main code uses and nothing it does not. */
class JarContentsIT {
    @Test
    void jacksonCoreOnlyNoDatabind() throws Exception {
        try (JarFile jar = new JarFile(Path.of(System.getProperty("jjf.jar")).toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertTrue(names.contains("com/fasterxml/jackson/core/JsonGenerator.class"), "jackson-core is packed");
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith("com/fasterxml/jackson/databind/")
                    || n.startsWith("com/fasterxml/jackson/annotation/")).limit(3).toList());
        }
    }
}
