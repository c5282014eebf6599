"""The names of the supervision checks, shared by the kiosk that runs them and the hub that shows their findings."""

from __future__ import annotations

CHECKS = {
    "paid_after_death": "去世后仍发放",
    "shared_account": "一个账号为多名无关人员领款",
    "others_account": "发放到他人登记的账户（代领线索）",
    "paid_twice": "同一项目同一期重复发放",
    "above_standard": "发放金额高于标准",
    "paid_not_enrolled": "未登记享受却发放",
    "never_paid": "登记享受但从未发放",
    "cadre_dibao": "村干部及其家庭成员享受低保（优亲厚友线索）",
    "registered_death": "死亡登记之后仍发放（外部死亡登记）",
    "official_kin": "公职人员、村干部及其近亲属享受低保或特困（优亲厚友线索）",
    "assets": "车辆、房产或经营实体超过规定却享受救助",
    "two_pensions": "领取企业职工养老金同时领取城乡居民基础养老金",
    "exclusive_paid": "同期领取两个互斥的项目",
    "village_outlier": "村低保比例或A类比例明显高于本乡镇",
}
# The checks that join the roster with the cross-check registers (or compare villages): without the
# registers a county has not imported, they find nothing.
REGISTER_CHECKS = (
    "registered_death",
    "official_kin",
    "assets",
    "two_pensions",
    "exclusive_paid",
    "village_outlier",
)
