"""The gap table's rounded figures, a presentation edge a mutation run showed untested (issue 9, item 9)."""
import quality_balance as qb
from quality_balance.planning.gap import gap_table, gap_to_pass
from tests.builders import dataset, school


def test_units_table_shows_the_ratio_in_percent_with_one_decimal():
    # R4: 3 900 m² / 1 000 students = 3.9 m² against 4.5: 3.9 / 4.5 = 86.666…% → 86.7; 600 m² are missing
    table = gap_table(gap_to_pass(qb.assess(dataset([school(school_id="A", teaching_area_m2=3900.0)]))), "units")
    assert len(table) == 1
    row = table.iloc[0]
    shown = (row["指标"], row["实际值"], row["标准"], row["达成比例(%)"], row["需增加"])
    assert shown == ("R4", 3.9, 4.5, 86.7, 600.0)
