package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A pipeline packaged as a jar: where it is, its entry class and program arguments. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JarSpec(String uri, String entryClass, List<String> args) {}
