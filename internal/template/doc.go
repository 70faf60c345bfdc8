// Package template is Errand's Liquid engine: the LiquidJS 10.30 dialect as
// Kibana Workflows configures it (strict filters, lenient variables, only the
// assign/for/capture/case/comment/decrement/increment/cycle/if/unless/break/
// continue/raw/echo/liquid/# tags), plus whole-value `${{ expr }}`
// expressions that keep native types, variable-path extraction for
// validation, and hard limits on template size, render time, memory and
// output.
//
// It is hand-written on purpose (DESIGN.md §5): the one Go Liquid library
// available agreed with LiquidJS on only 69% of the 1054 golden-liquid cases
// even behind a compatibility layer, panicked on three inputs and had no
// render, memory or iteration limits. This engine is checked against the
// LiquidJS oracle in TestOracle and fuzzed by FuzzParse and FuzzRender.
//
// Output differs from LiquidJS in one deliberate way (DESIGN.md §4): `{{ }}`
// prints arrays and objects as compact JSON (map keys sorted, objects from
// json_parse in their original order) and times as ISO-8601 in UTC with
// milliseconds. Inside filters (join, append...) values stringify the
// LiquidJS way. The entries filter returns pairs that answer e[0]/e[1] and
// e.key/e.value and print as {"key":k,"value":v}, the objects Kibana's
// entries filter returns; iterating an object with `for` yields [key, value]
// arrays as LiquidJS does. Plain Go maps iterate in sorted key order.
package template
