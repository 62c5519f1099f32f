from __future__ import annotations

import pytest

from connector.autotask import filters as f
from connector.ceql import Pushdown, parse, pushdown
from tests.ceql.reference import translate


def eq(field, value, **kw):
    return f.condition(f.EQ, field, value, **kw)


def cond(op, field, value=None, **kw):
    return f.condition(op, field, value, **kw)


@pytest.mark.parametrize(
    ("where", "pushed", "residual"),
    [
        pytest.param(
            "type = 'Customer'",
            [eq("companyType", 1)],
            None,
            id="a picklist label becomes its value",
        ),
        pytest.param(
            "type IN ('customer', 'LEAD')",
            [cond("in", "companyType", [1, 2])],
            None,
            id="IN over picklist labels",
        ),
        pytest.param(
            "type = 'Nobody'",
            [],
            "type = 'Nobody'",
            id="a label the translator does not know stays local",
        ),
        pytest.param("name = 'Acme'", [eq("companyName", "Acme")], None, id="= is eq"),
        pytest.param(
            "name != 'Acme'", [cond("noteq", "companyName", "Acme")], None, id="!= is noteq"
        ),
        pytest.param("id < 5", [cond("lt", "id", 5)], None, id="< is lt"),
        pytest.param("id <= 5", [cond("lte", "id", 5)], None, id="<= is lte"),
        pytest.param("id > 5", [cond("gt", "id", 5)], None, id="> is gt"),
        pytest.param("id >= 5", [cond("gte", "id", 5)], None, id=">= is gte"),
        pytest.param("active = true", [eq("isActive", True)], None, id="a boolean value"),
        pytest.param(
            "active > false", [], "active > false", id="an operator the field refuses stays local"
        ),
        pytest.param(
            "name LIKE 'Ac%'",
            [cond("beginsWith", "companyName", "Ac")],
            None,
            id="LIKE abc% is beginsWith",
        ),
        pytest.param(
            "name LIKE '%Inc'",
            [cond("endsWith", "companyName", "Inc")],
            None,
            id="LIKE %abc is endsWith",
        ),
        pytest.param(
            "name LIKE '%me%'",
            [cond("contains", "companyName", "me")],
            None,
            id="LIKE %abc% is contains",
        ),
        pytest.param(
            "name LIKE '%%me%%%'",
            [cond("contains", "companyName", "me")],
            None,
            id="repeated percents are one",
        ),
        pytest.param(
            "name LIKE 'Acme'",
            [eq("companyName", "Acme")],
            None,
            id="LIKE without a wildcard is eq",
        ),
        pytest.param(
            r"name LIKE 'a\%'",
            [eq("companyName", "a%")],
            None,
            id="LIKE with only an escaped percent is eq of the literal",
        ),
        pytest.param("name LIKE '%'", [cond("exist", "companyName")], None, id="LIKE % is exist"),
        pytest.param(
            "name LIKE 'a%b'",
            [cond("beginsWith", "companyName", "a"), cond("endsWith", "companyName", "b")],
            "name LIKE 'a%b'",
            id="a%b pushes its pieces wider and stays local",
        ),
        pytest.param(
            "name LIKE '_b%'",
            [cond("contains", "companyName", "b")],
            "name LIKE '_b%'",
            id="an underscore pattern pushes its fixed piece and stays local",
        ),
        pytest.param(
            r"name LIKE 'a\%%'",
            [],
            r"name LIKE 'a\%%'",
            id="an escaped percent is not sent to beginsWith",
        ),
        pytest.param(
            "name LIKE '%[x]%'", [], "name LIKE '%[x]%'", id="a bracket is not sent to contains"
        ),
        pytest.param(
            "id LIKE '5%'", [], "id LIKE '5%'", id="a field without string matches keeps LIKE local"
        ),
        pytest.param("name NOT LIKE 'a%'", [], "name NOT LIKE 'a%'", id="NOT LIKE stays local"),
        pytest.param("NOT name LIKE 'a'", [], "NOT name LIKE 'a'", id="NOT over LIKE stays local"),
        pytest.param("city IS NULL", [cond("notExist", "city")], None, id="IS NULL is notExist"),
        pytest.param("city IS NOT NULL", [cond("exist", "city")], None, id="IS NOT NULL is exist"),
        pytest.param("NOT city IS NULL", [cond("exist", "city")], None, id="NOT IS NULL is exist"),
        pytest.param("id IN (1, 2)", [cond("in", "id", [1, 2])], None, id="IN is in"),
        pytest.param("id NOT IN (1)", [cond("notIn", "id", [1])], None, id="NOT IN is notIn"),
        pytest.param(
            "NOT id NOT IN (1)", [cond("in", "id", [1])], None, id="NOT over NOT IN is in"
        ),
        pytest.param("NOT id > 5", [cond("lte", "id", 5)], None, id="NOT inverts the operator"),
        pytest.param("NOT NOT id = 5", [eq("id", 5)], None, id="a double NOT cancels"),
        pytest.param(
            "NOT (id = 1 AND name = 'x')",
            [f.group("or", [cond("noteq", "id", 1), cond("noteq", "companyName", "x")])],
            None,
            id="De Morgan turns NOT AND into an OR",
        ),
        pytest.param(
            "NOT (id = 1 OR name = 'x')",
            [cond("noteq", "id", 1), cond("noteq", "companyName", "x")],
            None,
            id="De Morgan turns NOT OR into conjuncts",
        ),
        pytest.param("notes = 'x'", [], "notes = 'x'", id="an unknown field stays local"),
        pytest.param(
            "id = 1 AND notes = 'x'", [eq("id", 1)], "notes = 'x'", id="AND pushes what it can"
        ),
        pytest.param(
            "id = 1 OR notes = 'x'",
            [],
            "id = 1 OR notes = 'x'",
            id="OR with a local branch is local as a whole",
        ),
        pytest.param(
            "(id = 1 AND notes = 'x') OR name = 'y'",
            [f.group("or", [eq("id", 1), eq("companyName", "y")])],
            "(id = 1 AND notes = 'x') OR name = 'y'",
            id="OR of partly pushable branches pushes a wider OR",
        ),
        pytest.param(
            "NOT (id = 1 AND notes = 'x')",
            [],
            "NOT (id = 1 AND notes = 'x')",
            id="NOT over a partly local AND is local",
        ),
        pytest.param(
            "NOT (id = 1 OR notes = 'x')",
            [cond("noteq", "id", 1)],
            "NOT notes = 'x'",
            id="NOT over an OR splits before deciding",
        ),
        pytest.param(
            "id = 1 AND (name = 'a' AND (city = 'b'))",
            [eq("id", 1), eq("companyName", "a"), eq("city", "b")],
            None,
            id="nested ANDs become one list",
        ),
        pytest.param(
            "(id = 1 OR id = 2) AND (name = 'a' OR city = 'b' OR notes = 'c')",
            [f.group("or", [eq("id", 1), eq("id", 2)])],
            "name = 'a' OR city = 'b' OR notes = 'c'",
            id="OR groups under AND",
        ),
        pytest.param(
            "phone = '555'",
            [f.group("or", [eq("phone", "555"), eq("fax", "555")])],
            None,
            id="a translator may answer a group",
        ),
        pytest.param(
            "phone = '1' OR id = 2",
            [f.group("or", [eq("phone", "1"), eq("fax", "1"), eq("id", 2)])],
            None,
            id="a translated OR group joins the outer OR",
        ),
        pytest.param(
            "NOT phone = '1'",
            [],
            "NOT phone = '1'",
            id="a translator refusing the inverted operator keeps NOT local",
        ),
        pytest.param(
            "tier = 'Gold' AND tier != 'x'",
            [eq("Tier", "Gold", udf=True), cond("noteq", "Tier", "x", udf=True)],
            None,
            id="several predicates on one UDF are fine",
        ),
        pytest.param(
            "tier = 'Gold' AND rank = 1",
            [eq("Tier", "Gold", udf=True)],
            "rank = 1",
            id="a second UDF stays local",
        ),
        pytest.param(
            "tier LIKE 'G%d' AND rank = 1",
            [eq("Rank", 1, udf=True)],
            "tier LIKE 'G%d'",
            id="an exact UDF predicate wins the single slot over a wider one",
        ),
        pytest.param(
            "(tier = 'a' OR id = 1) AND rank = 2",
            [f.group("or", [eq("Tier", "a", udf=True), eq("id", 1)])],
            "rank = 2",
            id="the first exact UDF predicate keeps the slot",
        ),
        pytest.param(
            "tier = 'Gold' OR rank = 1",
            [],
            "tier = 'Gold' OR rank = 1",
            id="an OR over two UDFs is local",
        ),
        pytest.param(
            "(tier = 'a' AND rank = 1) OR id = 2",
            [f.group("or", [eq("Tier", "a", udf=True), eq("id", 2)])],
            "(tier = 'a' AND rank = 1) OR id = 2",
            id="an AND inside an OR drops its second UDF and the OR goes wider",
        ),
        pytest.param(
            "created > '2012-05-25T11:13:29-0500' and (name = 'Eckle' or name = 'Schrage')",
            [
                cond("gt", "createDate", "2012-05-25T11:13:29-0500"),
                f.group("or", [eq("companyName", "Eckle"), eq("companyName", "Schrage")]),
            ],
            None,
            id="the Cloud Elements contacts test",
        ),
    ],
)
def test_pushdown(where, pushed, residual):
    split = pushdown(parse(where), translate)
    assert split.filter == pushed
    assert split.residual == parse(residual)
    assert len(set().union(*(f.udf_fields(i) for i in split.filter))) <= f.MAX_UDF_FIELDS_PER_QUERY


@pytest.mark.parametrize("where", [None, "", "  "], ids=["none", "empty", "blank"])
def test_no_where_pushes_nothing(where):
    assert pushdown(parse(where), translate) == Pushdown([], None)


def test_a_translator_that_refuses_everything_keeps_everything_local():
    def refuse(field, op, value):
        raise f.NotPushable(field)

    expr = parse("a = 1 and (b = 2 or not c in (3))")
    split = pushdown(expr, refuse)
    assert split.filter == []
    assert split.residual == expr


@pytest.mark.parametrize(
    ("count", "pushed"),
    [
        pytest.param(f.MAX_OR_CONDITIONS, True, id="an OR at the limit is pushed"),
        pytest.param(f.MAX_OR_CONDITIONS + 1, False, id="an OR past the limit stays local"),
    ],
)
def test_or_condition_limit(count, pushed):
    where = " or ".join(f"id = {n}" for n in range(count))
    split = pushdown(parse(where), translate)
    assert (split.filter != []) is pushed
    assert (split.residual is None) is pushed


@pytest.mark.parametrize(
    ("count", "pushed"),
    [
        pytest.param(f.MAX_OR_CONDITIONS, True, id="an IN list at the limit is pushed"),
        pytest.param(f.MAX_OR_CONDITIONS + 1, False, id="an IN list past the limit stays local"),
    ],
)
def test_in_list_limit(count, pushed):
    where = "id = 0 and id in (" + ", ".join(str(n) for n in range(count)) + ")"
    split = pushdown(parse(where), translate)
    assert split.filter[0] == eq("id", 0)
    assert (len(split.filter) == 2) is pushed


def test_an_or_counts_the_values_of_its_in_lists():
    half = f.MAX_OR_CONDITIONS // 2 + 1
    values = ", ".join(str(n) for n in range(half))
    split = pushdown(parse(f"id in ({values}) or count in ({values})"), translate)
    assert split.filter == []
    assert split.residual is not None
