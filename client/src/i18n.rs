//! The panel's words in English and Simplified Chinese. Each message is one enum variant, so a
//! message without its translation does not compile; a test checks that the bundled font has a
//! glyph for every Chinese character used here and in the demo park's names.

use bevy::prelude::Resource;

/// The panel's language.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "zh" | "zh-CN" | "zh-Hans" => Ok(Lang::Zh),
            other => Err(format!("language \"{other}\" is not en or zh")),
        }
    }
}

macro_rules! messages {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        /// A message of the panel.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)] // each variant is its English text
        pub enum Msg { $($name),* }

        impl Msg {
            /// Every message, for the tests.
            pub const ALL: &[Msg] = &[$(Msg::$name),*];

            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$name, Lang::En) => $en, (Msg::$name, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

messages! {
    MajorHazards => "Major hazard sources", "重大危险源";
    Level => "level", "级";
    Offline => "OFFLINE: live feed lost, retrying", "离线：实时数据中断，正在重连";
    SnapshotAt => "SNAPSHOT at", "快照时间";
    LiveAge => "LIVE: data age", "实时：数据时延";
    Seconds => "s", "秒";
    Connecting => "Connecting to the live feed…", "正在连接实时数据…";
    Detectors => "Detectors", "气体探测器";
    Normal => "normal", "正常";
    Warning => "warning", "预警";
    Alarm => "alarm", "报警";
    NoData => "no data", "无数据";
    TrucksInPark => "Hazmat trucks in the park", "园区内危化品车辆";
    Wind => "Wind", "风";
    From => "from", "来向";
    OpenAlarms => "Open alarms", "未关闭报警";
    TierAlarm => "ALARM", "报警";
    TierWarning => "WARNING", "预警";
    TierReminder => "REMINDER", "提醒";
    Ack => "Ack", "确认";
    Acked => "acknowledged by", "已确认：";
    FlyTo => "Go", "定位";
    Layers => "Layers", "图层";
    Opacity => "opacity", "透明度";
    LayerProblems => "Layer problems", "图层配置问题";
    Search => "Search", "搜索";
    SearchHint => "enterprise, plate or detector id", "企业、车牌或探测器编号";
    NoMatch => "No match", "无匹配结果";
    Identify => "Selected", "选中对象";
    Close => "Close", "关闭";
    LastHour => "Last hour", "近一小时";
    WarnLine => "warning threshold", "预警值";
    AlarmLine => "alarm threshold", "报警值";
    Reading => "reading", "读数";
    Cargo => "Cargo", "货物";
    Waybill => "Waybill", "电子运单";
    Destination => "Destination", "目的地";
    NoWaybill => "No registered waybill", "无登记电子运单";
    Speed => "Speed", "速度";
    TrackHour => "Track, last hour", "近一小时轨迹";
    Fixes => "fixes", "个定位点";
    Loading => "Loading…", "加载中…";
    Gates => "Gates, last 24 h", "卡口（近24小时）";
    In => "in", "进";
    Out => "out", "出";
    Help => "Drag: orbit · right-drag: pan · wheel: zoom · H: home · click: identify",
            "拖动：旋转 · 右键拖动：平移 · 滚轮：缩放 · H：全景 · 单击：查看";
    SwitchLang => "中文", "English";
    CannotReach => "Cannot reach the ParkTwin server", "无法连接 ParkTwin 服务器";
    Tried => "Tried", "尝试地址";
    RetryingEvery => "Retrying every", "重试间隔";
    Attempt => "attempt", "次数";
    LoadingPark => "Loading the park…", "正在加载园区…";
    RuleDetector => "gas over threshold", "气体浓度超限";
    RuleOffline => "detector offline", "探测器离线";
    RuleSpeeding => "speeding", "超速";
    RuleStopped => "stopped outside parking", "违规停车";
    RuleOffRoute => "off planned route", "偏离规划路线";
    RuleWaybill => "no waybill at the gate", "无电子运单入园";
    Enterprise => "enterprise", "企业";
    Detector => "detector", "探测器";
    Vehicle => "vehicle", "车辆";
    Gate => "gate", "卡口";
}

/// Shorthand: `tr(Msg::Layers, lang)`.
pub fn tr(msg: Msg, lang: Lang) -> &'static str {
    msg.text(lang)
}

/// What an alarm rule is called on the panel.
pub fn rule_name(rule: &str, lang: Lang) -> String {
    let m = match rule {
        "detector_threshold" => Msg::RuleDetector,
        "detector_offline" => Msg::RuleOffline,
        "vehicle_speeding" => Msg::RuleSpeeding,
        "vehicle_stopped" => Msg::RuleStopped,
        "vehicle_off_route" => Msg::RuleOffRoute,
        "hazmat_without_waybill" => Msg::RuleWaybill,
        other => return other.to_string(),
    };
    m.text(lang).to_string()
}

/// The bundled CJK font: a subset of Droid Sans Fallback (Apache License 2.0) holding the
/// 3,755 characters of GB 2312 level 1, every Chinese character of these messages and of the
/// demo park's names. `scripts/subset-font` makes it.
pub static CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallback-subset.ttf");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_said_in_both_languages() {
        for m in Msg::ALL {
            let (en, zh) = (m.text(Lang::En), m.text(Lang::Zh));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{m:?}");
            assert_ne!(en, zh, "{m:?} is not translated");
        }
    }

    #[test]
    fn every_rule_has_a_name() {
        for rule in [
            "detector_threshold",
            "detector_offline",
            "vehicle_speeding",
            "vehicle_stopped",
            "vehicle_off_route",
            "hazmat_without_waybill",
        ] {
            assert_ne!(rule_name(rule, Lang::Zh), rule);
        }
    }

    /// Every character a Chinese panel can show: the messages, the legends, and the demo
    /// park's names and layer titles (its descriptor layers' too).
    fn chinese_text() -> String {
        let mut text: String = Msg::ALL.iter().map(|m| m.text(Lang::Zh)).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/park");
        let mut files = vec![
            root.join("park.json"),
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scene/src/style.rs"),
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server-api/src/model.rs"),
        ];
        for folder in ["layers", "descriptors"] {
            for e in std::fs::read_dir(root.join(folder)).expect("layers") {
                files.push(e.expect("entry").path());
            }
        }
        for f in files {
            text.push_str(&std::fs::read_to_string(&f).expect("read"));
        }
        text
    }

    #[test]
    fn the_bundled_font_has_every_chinese_character_the_panel_shows() {
        use skrifa::MetadataProvider;
        let font = skrifa::FontRef::new(CJK_FONT).expect("the bundled font parses");
        let charmap = font.charmap();
        let missing: std::collections::BTreeSet<char> = chinese_text()
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c) || ('\u{3000}'..='\u{303f}').contains(c))
            .filter(|c| charmap.map(*c).is_none())
            .collect();
        assert!(missing.is_empty(), "no glyph for: {missing:?}");
        // And it is a subset: small enough for the browser's first load.
        assert!(CJK_FONT.len() < 2_000_000, "{} bytes", CJK_FONT.len());
    }
}
