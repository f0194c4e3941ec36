/* Russian month and weekday names for Dash 4's date pickers (dcc.DatePickerRange / DatePickerSingle).
   They format with date-fns and take their locale from window.dateFns.locale (a map of date-fns locales, picked by
   the browser's language, else the first one): this is a minimal date-fns locale, so the calendar reads
   «июнь 2022» and «пн вт ср чт пт сб вс» whatever the browser's language. */
(function () {
  var months = {
    wide: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
      "декабрь"],
    abbreviated: ["янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.", "дек."],
    narrow: ["Я", "Ф", "М", "А", "М", "И", "И", "А", "С", "О", "Н", "Д"]
  };
  var days = {
    wide: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
    abbreviated: ["вск", "пнд", "втр", "срд", "чтв", "птн", "суб"],
    short: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
    narrow: ["В", "П", "В", "С", "Ч", "П", "С"]
  };
  function pick(table, width) { return table[width] || table.wide; }
  var unmatched = function () { return null; };
  var ru = {
    code: "ru",
    localize: {
      ordinalNumber: function (n) { return String(n) + "-й"; },
      era: function (n) { return n ? "н. э." : "до н. э."; },
      quarter: function (n) { return String(n) + "-й кв."; },
      month: function (n, options) { return pick(months, (options || {}).width)[n]; },
      day: function (n, options) { return pick(days, (options || {}).width)[n]; },
      dayPeriod: function (period) { return period === "am" ? "ДП" : "ПП"; }
    },
    formatLong: {
      date: function () { return "dd.MM.y"; },
      time: function () { return "HH:mm"; },
      dateTime: function () { return "{{date}} {{time}}"; }
    },
    formatDistance: function (token, count) { return String(count); },
    formatRelative: function () { return "P"; },
    match: {
      ordinalNumber: unmatched, era: unmatched, quarter: unmatched, month: unmatched, day: unmatched,
      dayPeriod: unmatched
    },
    options: { weekStartsOn: 1, firstWeekContainsDate: 1 }
  };
  window.dateFns = window.dateFns || {};
  window.dateFns.locale = Object.assign({ ru: ru }, window.dateFns.locale || {});
})();
