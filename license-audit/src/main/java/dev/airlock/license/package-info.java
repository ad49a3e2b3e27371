/**
 * License and provenance facts about a model.
 *
 * <p>Owns: reading SPDX SBOMs (2.3 JSON, 3.0.1 JSON-LD with the AI profile), identifying license
 * texts, model-card and GGUF license fields, lineage (base models) and the obligations each
 * license carries. Every finding comes with its evidence.
 *
 * <p>Does not own: deciding whether a model is allowed. That is the policies module's verdict;
 * this module only states facts.
 */
package dev.airlock.license;
