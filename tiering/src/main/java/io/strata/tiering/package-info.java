/** Data mobility above the namespace: bucket lifecycle now, the cold tier and transitions later (issue #4). */
package io.strata.tiering;
