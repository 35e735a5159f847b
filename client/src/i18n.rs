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

impl Lang {
    /// This language's of a text given in both (an empty Chinese, as a name with no Chinese
    /// one, falls back to the English).
    ///
    /// ```
    /// use parktwin::i18n::Lang;
    /// assert_eq!(Lang::Zh.pick("Tank", "储罐"), "储罐");
    /// assert_eq!(Lang::Zh.pick("gd-001", ""), "gd-001");
    /// assert_eq!(Lang::En.pick("Tank", "储罐"), "Tank");
    /// ```
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::Zh if !zh.is_empty() => zh,
            _ => en,
        }
    }

    /// The other language (the panel's switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
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
    Live => "LIVE", "实时";
    GoLive => "Go live", "回到实时";
    Replay => "REPLAY", "回放";
    Paused => "paused", "已暂停";
    NextMark => "Next alarm or incident", "下一个报警或事故";
    NoLaterMark => "No later alarm or incident in the recording", "记录中之后没有报警或事故";
    Rebuilding => "Rebuilding the moment from the recording", "正在从记录重建该时刻";
    WhatIfGhost => "What if…", "假设推演…";
    WhatIfRate => "Release rate (0: as recorded)", "泄漏速率（0：按记录）";
    ShowGhost => "Show the other outcome", "显示推演结果";
    NoIncidentShown => "no incident on show", "当前无事故";
    Clear => "Clear", "清除";
    ShowDrill => "Show a drill…", "显示演练…";
    NoDrills => "No drills uploaded", "尚无演练";
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
    ProtectiveSummary => "Shelter in place: {shelter} places; evacuate: {evacuate}", "就地避险：{shelter} 处；疏散：{evacuate} 处";
    NoAssemblyPoint => "no assembly point reachable", "无可达集合点";
    ResourcesByRoad => "Nearest resources by road, from where each is", "最近应急资源（按道路，自所在位置出发）";
    ResourceFrom => "live {t}", "实时 {t}";
    ResourceHome => "from its station", "自驻地";
    MessageLine => "{time} {by} to {to}: {text}", "{time} {by} 致 {to}：{text}";
    EvacuateTo => "{place}: evacuate to {point}", "{place}：疏散至 {point}";
    MoveOn => "set {status}", "标记为{status}";
    StatusAvailable => "available", "待命";
    StatusMaintenance => "in maintenance", "维修";
    StatusDeployed => "deployed", "出动";
    TaskAssigned => "assigned", "已下达";
    TaskEnRoute => "en route", "途中";
    TaskOnScene => "on scene", "到达现场";
    TaskDone => "done", "已完成";
    Response => "Response", "应急处置";
    PlansFor => "Emergency plans for this incident", "适用应急预案";
    NoPlans => "no plan for this hazard source or chemical", "无适用预案";
    Activate => "Activate", "启动";
    PlanActive => "active", "已启动";
    Tasks => "Tasks", "任务";
    NoTasks => "no task yet", "暂无任务";
    TaskTeamHint => "team", "班组";
    TaskTextHint => "what to do", "任务内容";
    GiveTask => "Give task", "下达任务";
    Messages => "Messages", "消息";
    MessageToHint => "to: a team, or everyone", "发给：班组或全体";
    MessageTextHint => "message", "消息内容";
    Send => "Send", "发送";
    DrillScripted => "the drill's tasks and messages, as its scenario gives them", "演练脚本下达的任务和消息";
    WallResponse => "Response", "应急处置";
    WallTaskCounts => "{n} tasks · {en_route} en route · {on_scene} on scene · {done} done", "任务 {n} 项 · 途中 {en_route} · 现场 {on_scene} · 完成 {done}";
    ResourceLine => "{name} ({status}): {km} km, {min} min (ETA {eta} UTC)", "{name}（{status}）：{km} 公里，{min} 分钟（预计 {eta} UTC 到达）";
    ResourcesStop => "routes end at the edge of the {zone} zone", "路线止于 {zone} 区边缘";
    ResourceThrough => "through {zone}: no other way", "须穿越 {zone}：无其他路线";
    AlarmCleared => "cleared: waiting to be closed", "已恢复，待关闭";
    AlarmAssignedTo => "assigned to {by}", "已指派给 {by}";
    AlarmResolvedBy => "resolved by {by}: {cause}", "{by} 已处置：{cause}";
    AlarmShelvedUntil => "shelved until {until}", "搁置至 {until}";
    AlarmsShelved => "{n} shelved", "搁置 {n} 条";
    AlarmOverdue => "OVERDUE", "超时未确认";
    AlarmAssignHint => "person or team", "人员或班组";
    AlarmAssign => "Assign", "指派";
    AlarmCause => "cause", "原因";
    AlarmAction => "action taken", "处置措施";
    AlarmFalse => "false alarm", "误报";
    AlarmResolve => "Resolve", "处置完成";
    AlarmShelve => "Shelve", "搁置";
    AlarmShelveReason => "reason for shelving", "搁置原因";
    AlarmUnshelve => "Unshelve", "取消搁置";
    Minutes => "min", "分钟";
    Hours => "h", "小时";
    AlarmFigures => "Alarm management, last 24 h", "报警管理（近24小时）";
    FiguresRate => "{n} alarms: {avg} per 10 min on average (about 1 is acceptable), {peak} at most", "共 {n} 条：平均每10分钟 {avg} 条（约1条为可接受），最多 {peak} 条";
    FiguresFlood => "in flood (over 10 in 10 min): {share}% of the time (under 1% is the aim)", "报警泛滥（10分钟超过10条）：{share}% 的时间（目标低于1%）";
    FiguresStanding => "standing 24 h or more: {n}", "持续24小时以上：{n} 条";
    FiguresChattering => "chattering (3 or more within a minute): {n}", "振荡报警（1分钟内3次以上）：{n} 个";
    FiguresTopTen => "the ten most frequent: {share}% of all", "最频繁的10个：占 {share}%";
    FiguresFalse => "false alarms: {n}", "误报：{n} 条";
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
    SignIn => "Sign in", "登录";
    SignOut => "Sign out", "退出";
    SendToWall => "Send to wall", "推送到大屏";
    SendingToWall => "Sending to the wall…", "正在推送到大屏…";
    SentToWall => "On the wall: view", "已推送到大屏：视图";
    WallDrill => "DRILL · {name} · NOT A REAL INCIDENT", "演练 · {name} · 非真实事故";
    WallHazards => "MAJOR HAZARD SOURCES", "重大危险源";
    WallLevel => "Level {n}: {count}", "{n}级：{count}";
    WallDetectors => "GAS DETECTORS", "气体探测器";
    WallOnline => "{online} / {all} online", "在线 {online} / {all}";
    WallInAlarm => "In alarm: {n}", "报警：{n}";
    WallWarning => "Warning: {n}", "预警：{n}";
    WallVehicles => "HAZMAT VEHICLES INSIDE THE FENCE", "园区内危化品车辆";
    WallTracked => "{n} tracked in all", "共跟踪 {n} 辆";
    WallAlarms => "OPEN ALARMS", "未关闭报警";
    WallUnacked => "Not acknowledged: {n}", "未确认：{n}";
    WallWeather => "WEATHER", "气象";
    WallWind => "{speed} m/s from {from}°", "风速 {speed} m/s 风向 {from}°";
    WallAir => "{t} °C · stability {class}", "{t} °C · 稳定度 {class}";
    WallNoReport => "No report yet", "尚无报告";
    WallIncident => "ACTIVE INCIDENT", "当前事故";
    WallNone => "None", "无";
    WallMoreIncidents => "{n} more open incident(s)", "另有 {n} 起事故未关闭";
    WallLatest => "LATEST ALARMS", "最新报警";
    WallNoAlarms => "No open alarms", "无未关闭报警";
    WallZone => "{zone} · {reach} m downwind", "{zone} · 下风向 {reach} 米";
    WallZoneRound => "{zone} · {reach} m all round", "{zone} · 半径 {reach} 米";
    WallInside => "{n} inside · {people} people", "区内 {n} 处 · {people} 人";
    WallRelease => "Release {release}, {min} min ago", "{release}，{min} 分钟前开始";
    WallIncidentWind => "Wind {speed} m/s from {from}°, class {class}", "风速 {speed} m/s 风向 {from}°，稳定度 {class}";
    WallTicker => "{tier} {source} · {rule} · {value} · since {time}", "{tier} {source} · {rule} · {value} · 始于 {time}";
    WallAckedBy => " · acknowledged by {by}", " · 已由 {by} 确认";
    WallLive => "LIVE · data {age} old", "实时 · 数据 {age} 前";
    WallReconnecting => "RECONNECTING · data {age} old", "正在重连 · 数据 {age} 前";
    WallConnecting => "CONNECTING…", "正在连接…";
    WallSnapshot => "SNAPSHOT · {t}", "快照 · {t}";
    WallSeconds => "{n} s", "{n} 秒";
    WallMinutes => "{n} min", "{n} 分钟";
    WallHours => "{n} h", "{n} 小时";
    WallShowingSent => "Showing the view sent by {by}", "显示 {by} 推送的视图";
    WallShowingAlarm => "Showing a new red alarm: {source}", "新红色报警：{source}";
    WallShowingIncident => "Showing incident {id}", "显示事故 {id}";
    WallTour => "Tour: {name}", "巡览：{name}";
    WallTourHome => "Tour: the whole park", "巡览：全园区";
    AccountName => "account name", "用户名";
    Password => "password", "密码";
    AccountSignIn => "Sign in to read and act", "登录";
    SignInToRead => "Sign in to see the park", "登录后查看园区";
    SignInToReadWhy => "This park's server lets only its people read it:", "此园区服务器仅向其用户开放：";
    SignedIn => "Signed in:", "已登录：";
    Checking => "Checking…", "正在验证…";
    SignInWhy => "Sign in with your account: an operator's acknowledges alarms and starts incidents.", "使用账号登录：操作员可确认报警、启动事故。";
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
    RuleIncidentZone => "inside a threat zone", "位于威胁区内";
    Environment => "Environment", "环境";
    AirQuality => "Air quality (AQI, HJ 633-2012)", "空气质量（AQI，HJ 633-2012）";
    Outfalls => "Outfalls", "排放口";
    NoReading => "no reading yet", "暂无读数";
    OverLimit => "over a limit", "超标";
    WithinLimits => "within limits", "达标";
    ValuesAsOfMoment => "Each device's last reading by the moment shown (to the minute)", "各设备截至所示时刻的最后读数（精确到分钟）";
    DemoValues => "Demo values: made by the simulator, not measured", "演示数据：由模拟器生成，非实测";
    LastDay => "last 24 hours", "近24小时";
    HazardSourcesView => "Hazard sources (tanks online)", "重大危险源（储罐在线监测）";
    FillLevel => "fill", "液位";
    North => "N", "北";
    NoHazardSource => "Tanks of no major hazard source", "不构成重大危险源的储罐";
    EnergyView => "Energy", "能源";
    ElectricityToday => "Electricity today by enterprise", "今日企业用电";
    SteamWaterToday => "steam, water today", "今日用汽、用水";
    VsPreviousDay => "on the day before at this pace", "按当前速率较昨日";
    OverBudget => "over its day's budget", "超出日额度";
    Substations => "Substations: load of rating", "变电站负载率";
    PipeGalleryView => "Pipe gallery: pressure along a pipe", "管廊：管道沿程压力";
    PipesPastLimits => "pipes with a gauge past a limit", "有测点越限的管道";
    AlongPipe => "metres from its start", "距首端（米）";
    NoReadings => "no readings in the last 24 hours", "近24小时无读数";
    RuleDeviceThreshold => "reading past a threshold", "读数越限";
    RuleDeviceRate => "changing too fast", "变化速率超限";
    RuleDeviceStale => "no reading (stale)", "数据中断";
    RuleDeviceBudget => "day's total over budget", "当日累计超额";
    RuleDevicePermit => "day's mean over permit", "日均值超许可排放限值";
    Enterprise => "enterprise", "企业";
    Detector => "detector", "探测器";
    Vehicle => "vehicle", "车辆";
    Gate => "gate", "卡口";
    // The incident card, its legend and chart ({name} marks a value filled in by `fill`).
    Incident => "INCIDENT", "事故";
    ReleaseRate => "{rate} kg/s", "持续泄漏 {rate} kg/s";
    ReleaseFor => " for {min} min", "，{min} 分钟";
    ReleaseMass => "{mass} kg at once", "瞬时泄漏 {mass} kg";
    ReleaseLine => "{source}, {height} m up · {min} min since the start", "{source}，离地 {height} m · 已持续 {min} 分钟";
    WindLine => "Wind {speed} m/s from {from}°, class {class}", "风速 {speed} m/s，风向 {from}°，稳定度 {class}";
    FollowsStation => " (station {station}, {shifts} shift(s))", "（气象站 {station}，风况变化 {shifts} 次）";
    FixedWeather => " (fixed: what-if)", "（固定气象：假设分析）";
    DrillWeather => " (the drill's weather, {shifts} shifts)", "（演练气象，{shifts} 次变化）";
    ZoneLine => "{zone} ≥ {level} mg/m³: {reach} m downwind, {count} inside", "{zone} ≥ {level} mg/m³：下风向 {reach} m，区内 {count} 个";
    People => "people", "人";
    KindVehicle => "vehicle", "车辆";
    KindSensitive => "sensitive target", "敏感目标";
    KindDetector => "detector", "探测器";
    KindEnterprise => "enterprise", "企业";
    KindStation => "weather station", "气象站";
    Threat => "threat", "威胁";
    ThreatAt => "Threat at {place}: dose {dose} mg·min/m³ by +{min} min", "{place} 处威胁：至 +{min} 分钟剂量 {dose} mg·min/m³";
    Indoors => "indoors, {ach} air changes/h", "室内（每小时换气 {ach} 次）";
    DeathsOutIn => "Deaths there by the toxic probit: {out} % outdoors, {in} % sheltering indoors", "该处按毒性概率模型的致死率：室外 {out}%，室内避难 {in}%";
    MinSinceStart => "min since the start", "事故后分钟";
    Concentration => "concentration", "浓度";
    Now => "now", "现在";
    ExportZones => "Zones (GeoJSON)", "威胁区 (GeoJSON)";
    ExportInsideCsv => "Inside (CSV)", "区内清单 (CSV)";
    ExportInsideGeojson => "Inside (GeoJSON)", "区内清单 (GeoJSON)";
    ExportView => "View (PNG)", "视图截图 (PNG)";
    CloseIncident => "Close incident", "结束事故";
    ZonesNotYet => "the zones have not arrived yet", "威胁区尚未收到";
    Saved => "saved", "已保存";
    CannotWrite => "cannot write", "无法写入";
    GroundConcentration => "ground-level concentration", "地面浓度";
    LogScale => "(log scale)", "（对数刻度）";
    Clicked => "Clicked", "点击位置";
    StartHere => "⚠ Start an incident here", "⚠ 在此发起事故";
    NeedsToken => "starting an incident needs an operator token (--token)", "发起事故需要操作员令牌 (--token)";
    // The incident form.
    StartIncident => "Start an incident", "发起事故";
    StartTheIncident => "Start the incident", "确认发起";
    ReleaseFrom => "Release from", "泄漏源";
    ThePoint => "the point", "地点";
    Chemical => "Chemical", "化学品";
    Choose => "choose…", "请选择…";
    Release => "Release", "泄漏方式";
    OverTime => "over time", "持续泄漏";
    AllAtOnce => "all at once", "瞬时泄漏";
    Mass => "Mass", "质量";
    Rate => "Rate", "速率";
    Duration => "Duration", "持续时间";
    MinUntilClosed => " min (0: until closed)", " 分钟（0：直至结束）";
    Height => "Height", "高度";
    Levels => "Levels", "关注浓度";
    LevelsFlammable => "LEL (flash fire)", "爆炸下限（闪火）";
    WhatHappens => "What happens", "事故类型";
    HazardCloud => "Gas cloud (toxic or flammable)", "气云扩散（有毒或可燃）";
    HazardToxicCloud => "Toxic cloud", "有毒气云";
    HazardFlammableCloud => "Flammable cloud (flash fire)", "可燃气云（闪火）";
    HazardPoolFire => "Pool fire", "池火";
    HazardJetFire => "Jet fire", "喷射火";
    HazardFireball => "Fireball (BLEVE)", "火球（沸腾液体扩展蒸气爆炸）";
    HazardExplosion => "Vapour cloud explosion", "蒸气云爆炸";
    PoolDiameter => "Pool diameter", "液池直径";
    CloudHeavy => "Heavy gas (Britter & McQuaid): {what} {value} over {limit}; the zones are its footprint on the ground", "重气（Britter–McQuaid 模型）：{what} {value} 大于 {limit}；影响区为其地面覆盖范围";
    CloudGaussian => "Gaussian plume: {what} {value} under {limit}", "高斯烟羽：{what} {value} 小于 {limit}";
    HeavyNoChart => "A heavy gas: the workbook gives its footprint, not its concentration over time", "重气：模型给出地面覆盖范围，不给出随时间变化的浓度";
    HeavyGasShort => "heavy gas (Britter & McQuaid)", "重气（Britter–McQuaid）";
    CloudModelLabel => "Model", "扩散模型";
    CloudModelAuto => "as ALOHA chooses", "按 ALOHA 判据自动选择";
    CloudModelGaussian => "Gaussian", "高斯模型";
    CloudModelDense => "heavy gas", "重气模型";
    BlastStrength => "Blast strength (1 open – 10 detonation)", "爆炸强度（1 开阔 – 10 爆轰）";
    StrengthOf => ", strength {n}", "，强度 {n}";
    ZoneDownwind => "{zone}: {reach} m downwind, {count} inside", "{zone}：下风向 {reach} m，区内 {count} 个";
    ZoneRadius => "{zone}: {reach} m all round, {count} inside", "{zone}：半径 {reach} m，区内 {count} 个";
    PoolOf => "a pool {d} m across", "直径 {d} m 的液池";
    ZonesAround => "zones around the source", "事故源周边影响区";
    FromHole => "From a hole", "按泄漏孔";
    FromPool => "From a pool", "按液池蒸发";
    BundSuffix => " m bund (0: none)", " m 围堰直径（0：无）";
    PoolLeak => "{rate} kg/s from a pool {d} m across, gone in {min} min", "直径 {d} m 液池蒸发 {rate} kg/s，{min} 分钟蒸发完";
    BoilingPoolLeak => "{air} t flashes in the first minute; the rest boils off a pool {d} m across, up to {rate} kg/s, gone in {min} min", "{air} t 在第一分钟内闪蒸；其余在直径 {d} m 的液池中沸腾蒸发，最高 {rate} kg/s，{min} 分钟蒸发完";
    FromRupture => "Cut through (kPa gauge)", "管段断裂（表压 kPa）";
    FedFromUpstream => "fed from upstream", "上游持续供气";
    RuptureLeak => "{rate} kg/s at first; {kg} kg of gas in the segment; followed for {min} min", "初始 {rate} kg/s；管段存气 {kg} kg；计算 {min} 分钟";
    HoleLeak => "{rate} kg/s at first: {level} m of liquid, {gauge} kPa gauge above it; empty in {min} min", "初始 {rate} kg/s：液位 {level} m，液面压力 {gauge} kPa（表压）；{min} 分钟泄空";
    ReleaseFalling => "{rate} kg/s falling to {end} kg/s over {min} min", "{rate} kg/s 递减至 {end} kg/s，历时 {min} 分钟";
    WeatherFollows => "Weather: station {station}, {speed} m/s from {from}°, {temp} °C; the incident follows its reports",
                      "气象：气象站 {station}，{speed} m/s，风向 {from}°，{temp} °C；事故随其报告更新";
    NoStation => "No station has reported: give the weather (what-if)", "尚无气象站报告：请设定气象（假设分析）";
    WhatIf => "What-if: fixed weather, as set here", "假设分析：使用此处设定的固定气象";
    WindSpeed => "Wind speed", "风速";
    WindFrom => "Wind from", "风向";
    Temperature => "Temperature", "气温";
    Stability => "Stability", "稳定度";
    FromSunAndWind => "from sun and wind", "由日照和风速推算";
    Note => "Note", "备注";
    Starting => "starting…", "正在发起…";
    Cancel => "Cancel", "取消";
    Started => "started", "已发起";
    ChooseChemical => "choose the chemical", "请选择化学品";
    NotInTable => "\"{name}\" is not in the chemical table: choose the chemical", "“{name}”不在化学品表中：请选择化学品";
    NothingOnRecord => "nothing on record here: choose the chemical", "此处无登记物料：请选择化学品";
    NoInventory => "no inventory on record here: set the rate", "此处无登记存量：请设定泄漏速率";
    NoWeather => "no weather station has reported: tick \"what-if\" and give the weather", "尚无气象站报告：请勾选“假设分析”并设定气象";
}

/// A message with its `{name}` marks filled in.
///
/// ```
/// use parktwin::i18n::{Lang, Msg, fill};
/// assert_eq!(fill(Msg::ReleaseMass, Lang::En, &[("mass", "2000".into())]), "2000 kg at once");
/// ```
pub fn fill(msg: Msg, lang: Lang, values: &[(&str, String)]) -> String {
    values.iter().fold(msg.text(lang).to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// Shorthand: `tr(Msg::Layers, lang)`.
pub fn tr(msg: Msg, lang: Lang) -> &'static str {
    msg.text(lang)
}

/// A kind of incident as the form lists it, in `lang`.
pub fn hazard_kind(h: parktwin_api::incident::Hazard, lang: Lang) -> &'static str {
    use parktwin_api::incident::Hazard;
    tr(
        match h {
            Hazard::Cloud => Msg::HazardCloud,
            Hazard::PoolFire => Msg::HazardPoolFire,
            Hazard::JetFire => Msg::HazardJetFire,
            Hazard::Fireball => Msg::HazardFireball,
            Hazard::Explosion => Msg::HazardExplosion,
        },
        lang,
    )
}

/// What an incident is, as its card and the wall name it: a cloud as toxic or flammable by the
/// levels it is drawn at, the others by their kind.
///
/// ```
/// use parktwin::i18n::{Lang, incident_kind};
/// use parktwin_api::incident::Hazard;
/// assert_eq!(incident_kind(Hazard::Cloud, "lel", Lang::En), "Flammable cloud (flash fire)");
/// assert_eq!(incident_kind(Hazard::Cloud, "aegl", Lang::Zh), "有毒气云");
/// assert_eq!(incident_kind(Hazard::PoolFire, "thermal", Lang::Zh), "池火");
/// ```
pub fn incident_kind(h: parktwin_api::incident::Hazard, levels: &str, lang: Lang) -> &'static str {
    match h {
        parktwin_api::incident::Hazard::Cloud if levels == "lel" => tr(Msg::HazardFlammableCloud, lang),
        parktwin_api::incident::Hazard::Cloud => tr(Msg::HazardToxicCloud, lang),
        other => hazard_kind(other, lang),
    }
}

/// An alarm tier's name, in `lang`.
pub fn tier_name(t: parktwin_api::model::AlarmTier, lang: Lang) -> &'static str {
    use parktwin_api::model::AlarmTier;
    match t {
        AlarmTier::Alarm => tr(Msg::TierAlarm, lang),
        AlarmTier::Warning => tr(Msg::TierWarning, lang),
        AlarmTier::Reminder => tr(Msg::TierReminder, lang),
    }
}

/// A resource's or a task's status, in `lang` (one this build does not know, as it is).
///
/// ```
/// use parktwin::i18n::{Lang, status_name};
/// assert_eq!(status_name("en_route", Lang::Zh), "途中");
/// assert_eq!(status_name("standby", Lang::En), "standby");
/// ```
pub fn status_name(status: &str, lang: Lang) -> String {
    let m = match status {
        "assigned" => Msg::TaskAssigned,
        "en_route" => Msg::TaskEnRoute,
        "on_scene" => Msg::TaskOnScene,
        "done" => Msg::TaskDone,
        "available" => Msg::StatusAvailable,
        "maintenance" => Msg::StatusMaintenance,
        "deployed" => Msg::StatusDeployed,
        other => return other.to_string(),
    };
    m.text(lang).to_string()
}

/// What an alarm rule is called on the panel (a rule this build does not know, by its name).
pub fn rule_name(rule: &str, lang: Lang) -> String {
    use parktwin_api::kinds::AlarmRule;
    let Some(r) = AlarmRule::of(rule) else {
        return rule.to_string();
    };
    let m = match r {
        AlarmRule::DetectorThreshold => Msg::RuleDetector,
        AlarmRule::DetectorOffline => Msg::RuleOffline,
        AlarmRule::VehicleSpeeding => Msg::RuleSpeeding,
        AlarmRule::VehicleStopped => Msg::RuleStopped,
        AlarmRule::VehicleOffRoute => Msg::RuleOffRoute,
        AlarmRule::HazmatWithoutWaybill => Msg::RuleWaybill,
        AlarmRule::IncidentZone => Msg::RuleIncidentZone,
        AlarmRule::DeviceThreshold => Msg::RuleDeviceThreshold,
        AlarmRule::DeviceRate => Msg::RuleDeviceRate,
        AlarmRule::DeviceStale => Msg::RuleDeviceStale,
        AlarmRule::DeviceBudget => Msg::RuleDeviceBudget,
        AlarmRule::DevicePermit => Msg::RuleDevicePermit,
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
        for rule in parktwin_api::kinds::AlarmRule::ALL {
            let rule = rule.as_str();
            assert_ne!(rule_name(rule, Lang::Zh), rule);
            assert_ne!(rule_name(rule, Lang::En), rule, "{rule} has an English name");
        }
        assert_eq!(
            rule_name("a_newer_rule", Lang::Zh),
            "a_newer_rule",
            "an unknown rule by its name"
        );
    }

    /// Every character a Chinese panel can show: the messages, the legends, and the demo
    /// park's names and layer titles (its descriptor layers' too).
    fn chinese_text() -> String {
        let mut text: String = Msg::ALL.iter().map(|m| m.text(Lang::Zh)).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/park");
        let mut files = vec![
            root.join("park.json"),
            root.join("plans.json"),
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
