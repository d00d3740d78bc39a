/** Strata namespace module. */
package io.strata.namespace;
