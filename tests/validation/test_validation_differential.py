"""The default engine equals plain pySHACL on seeded generated and mutated shapes + data pairs.

200 pairs (100 generated, one mutated data variant each) run in CI; ``benchmarks/shacl_differential.py``
runs thousands on demand. See tests/validation/differential.py for what the generator covers.
"""

from __future__ import annotations

from tests.validation import differential


def test_fast_and_compiled_engines_equal_plain_pyshacl_on_generated_pairs():
    outcomes = differential.run(100, seed=0, variants=1)
    disagree = [f"seed {o.seed} variant {o.variant}: {o.detail[:600]}" for o in outcomes if not o.agree]
    assert disagree == [], differential.summary(outcomes, 0)
    # The pairs exercise the fast engine (not only its pySHACL fallback), produce results, and include
    # shapes pySHACL refuses (which must stop validate() with an input error too).
    assert len(outcomes) == 200
    assert sum(1 for o in outcomes if o.compiled_shapes) >= 150
    assert sum(o.results for o in outcomes) >= 1000
    assert any(o.refused for o in outcomes)


def test_the_generator_is_deterministic_and_mutations_change_the_data():
    assert differential.generate(5) == differential.generate(5)
    _shapes, data = differential.generate(5)
    assert "sh:sparql" in "".join(differential.generate(s)[0] for s in range(10))
    assert differential.mutate(data, 1) != data
