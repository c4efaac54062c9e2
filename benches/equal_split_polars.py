"""Equal-split attribution with polars, as an analyst would write it: the yardstick for
`partner-attribution attribute --model equal_split` on the same files.

    python3 benches/equal_split_polars.py deals.csv touchpoints.csv splits.csv
"""

import sys
import time

import polars as pl

started = time.perf_counter()
deals_path, touches_path, out_path = sys.argv[1:4]

deals = pl.read_csv(deals_path).filter(pl.col("status") == "won").with_columns(
    pl.col("closed_at").str.to_datetime(time_zone="UTC")
)
touches = pl.read_csv(touches_path).with_columns(pl.col("occurred_at").str.to_datetime(time_zone="UTC"))

per_partner = (
    touches.join(deals, on="deal_id")
    .filter(pl.col("occurred_at") <= pl.col("closed_at"))
    .group_by("deal_id", "partner_id")
    .agg(pl.len().alias("touches"), pl.first("amount"), pl.first("currency"))
    .with_columns((pl.col("touches") / pl.col("touches").sum().over("deal_id")).alias("share"))
    .with_columns(
        (pl.col("share") * pl.col("amount")).round(2).alias("amount"),
        pl.lit("equal_split").alias("model"),
        pl.format("Equal split: {} of the deal's touches", pl.col("touches")).alias("explanation"),
    )
    .select("deal_id", "partner_id", "model", "share", "amount", "currency", "explanation")
    .sort("deal_id", "partner_id")
)
per_partner.write_csv(out_path)
print(f"polars: {per_partner.height} splits in {time.perf_counter() - started:.2f} s", file=sys.stderr)
