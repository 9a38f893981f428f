package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the server's answers into the API model the server writes them from (sluice-model), leniently: fields this
 * client does not know (a newer server's) are passed over. The raw document stays what {@code -o json|yaml} prints.
 */
final class Typed {
    private Typed() {}

    static <T> T read(JsonNode node, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.FAILED, "the server sent a " + type.getSimpleName()
                    + " this client cannot read (" + e.getOriginalMessage() + "); is it a newer Sluice?");
        }
    }

    /** The {@code items} of a {@code ResourceList}. */
    static <T> List<T> items(JsonNode list, Class<T> type) {
        List<T> items = new ArrayList<>();
        for (JsonNode item : list.path("items")) {
            items.add(read(item, type));
        }
        return items;
    }
}
