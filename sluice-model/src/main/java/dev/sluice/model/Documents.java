package dev.sluice.model;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The YAML documents of a file ({@code ---}), each as a text that keeps the file's line and column numbers: what
 * comes before it is blanked, not cut, so an error found in one document names its place in the file.
 */
final class Documents {
    /** The {@code number}th document of a file (1-based, counting empty ones), as a text of its own. */
    record Document(int number, String text) {}

    private Documents() {}

    /** The non-empty documents of {@code text}, in order; {@link YAMLException} when it is not YAML. */
    static List<Document> split(String text) {
        List<Document> documents = new ArrayList<>();
        try {
            ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(text)), new LoaderOptions());
            int number = 0;
            int depth = 0;
            int start = -1;
            boolean empty = true;
            while (parser.peekEvent() != null) {
                Event event = parser.getEvent();
                if (event instanceof DocumentStartEvent) {
                    number++;
                    start = -1;
                    empty = true;
                } else if (event instanceof NodeEvent && depth == 0 && start < 0) {
                    start = text.offsetByCodePoints(0, event.getStartMark().getIndex()); // marks count code points
                    empty = event instanceof ScalarEvent scalar && scalar.getValue().isEmpty()
                            && scalar.getImplicit().canOmitTagInPlainScalar();
                }
                if (event instanceof CollectionStartEvent) {
                    depth++;
                } else if (event instanceof CollectionEndEvent) {
                    depth--;
                }
                if (event instanceof DocumentEndEvent && start >= 0 && !empty) {
                    int end = text.offsetByCodePoints(0, event.getStartMark().getIndex());
                    documents.add(new Document(number, blanked(text, start) + text.substring(start, end)));
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new YAMLException("a mark beyond the text: " + e.getMessage());
        }
        return documents;
    }

    /** The text before {@code index} with every character but line ends turned into a space. */
    private static String blanked(String text, int index) {
        StringBuilder blank = new StringBuilder(index);
        for (int i = 0; i < index; i++) {
            char c = text.charAt(i);
            blank.append(c == '\n' || c == '\r' ? c : ' ');
        }
        return blank.toString();
    }
}
