package dev.sluice.model;

import java.util.List;

/** A list of resources as the API answers it: {@code {"items": [...]}}. */
public record ResourceList<T>(List<T> items) {
    public static <T> ResourceList<T> of(List<T> items) {
        return new ResourceList<>(List.copyOf(items));
    }
}
