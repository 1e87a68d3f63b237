

def test_grammar_has_no_conflicts_in_strict_mode():
    """The runtime builds the parser without lark's strict checks (they cost
    half a second per process); this test keeps the grammar free of
    shift/reduce conflicts and terminal collisions."""
    from nerve.equations.parser import build_parser

    parser = build_parser(strict=True)
    assert parser.parse("dv/dt = -v/tau : volt\n", start="equations") is not None
