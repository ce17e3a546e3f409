-- Pricing rules for an order pipeline, one function per rule, as a rules compiler would emit
-- them from a spreadsheet (this file was generated once and is shipped as a large, realistic
-- script: compiling it takes milliseconds, loading its bytecode much less).
-- Runs every rule over a batch of sample orders and returns the totals.

local rules = {}

local function clamp(x, lo, hi)
  if x < lo then return lo elseif x > hi then return hi else return x end
end

local function round2(x)
  return math.floor(x * 100 + 0.5) / 100
end

rules[1] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 8 or 1)
  end
  if count >= 7 and weight % 7 == 1 then
    return clamp(round2(weight * 11 / 10), 0, 245), "bulk-office-7"
  end
  return 0, nil
end

rules[2] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 4 or 1)
  end
  if count >= 19 and weight % 5 == 0 then
    return clamp(round2(weight * 28 / 10), 0, 178), "bulk-office-19"
  end
  return 0, nil
end

rules[3] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 9 and weight % 5 == 1 then
    return clamp(round2(weight * 21 / 10), 0, 63), "bulk-tools-9"
  end
  return 0, nil
end

rules[4] = function(order)
  if order.segment == "wholesale" and (order.country == "FR" or order.loyalty > 1) then
    local base = order.total - 352
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 1), 0, 183), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[5] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 6) then
    local base = order.total - 106
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 8), 0, 145), "loyal-retail"
    end
  end
  return 0, nil
end

rules[6] = function(order)
  if order.country == "NL" and order.total >= 55 and order.total < 530 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 96), "NL-55-530"
  end
  return 0, nil
end

rules[7] = function(order)
  if order.country == "DE" and order.total >= 359 and order.total < 1550 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 245), "DE-359-1550"
  end
  return 0, nil
end

rules[8] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 4 and weight % 7 == 1 then
    return clamp(round2(weight * 29 / 10), 0, 218), "bulk-garden-4"
  end
  return 0, nil
end

rules[9] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 242
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 5), 0, 69), "loyal-education"
    end
  end
  return 0, nil
end

rules[10] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 15 and weight % 2 == 1 then
    return clamp(round2(weight * 9 / 10), 0, 124), "bulk-garden-15"
  end
  return 0, nil
end

rules[11] = function(order)
  if order.country == "GB" and order.total >= 44 and order.total < 443 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 111), "GB-44-443"
  end
  return 0, nil
end

rules[12] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 4 / 100), 0, 49), "education-food"
  end
  return 0, nil
end

rules[13] = function(order)
  if order.segment == "education" and (order.country == "FR" or order.loyalty > 5) then
    local base = order.total - 370
    if base > 0 then
      return clamp(round2(base * 30 / 1000 + 5), 0, 58), "loyal-education"
    end
  end
  return 0, nil
end

rules[14] = function(order)
  if order.segment == "retail" and (order.country == "US" or order.loyalty > 5) then
    local base = order.total - 259
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 1), 0, 193), "loyal-retail"
    end
  end
  return 0, nil
end

rules[15] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 11 / 100), 0, 74), "wholesale-books"
  end
  return 0, nil
end

rules[16] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 1) then
    local base = order.total - 157
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 4), 0, 107), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[17] = function(order)
  if order.country == "SE" and order.total >= 360 and order.total < 1378 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 169), "SE-360-1378"
  end
  return 0, nil
end

rules[18] = function(order)
  if order.country == "PL" and order.total >= 177 and order.total < 862 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 20), "PL-177-862"
  end
  return 0, nil
end

rules[19] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 7 or 1)
  end
  if count >= 10 and weight % 4 == 0 then
    return clamp(round2(weight * 24 / 10), 0, 35), "bulk-media-10"
  end
  return 0, nil
end

rules[20] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 9) then
    local base = order.total - 32
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 1), 0, 139), "loyal-education"
    end
  end
  return 0, nil
end

rules[21] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 28 / 100), 0, 116), "public-office"
  end
  return 0, nil
end

rules[22] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 1) then
    local base = order.total - 22
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 3), 0, 59), "loyal-partner"
    end
  end
  return 0, nil
end

rules[23] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 3 or 1)
  end
  if count >= 1 and weight % 4 == 1 then
    return clamp(round2(weight * 29 / 10), 0, 183), "bulk-media-1"
  end
  return 0, nil
end

rules[24] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 21 / 100), 0, 153), "public-media"
  end
  return 0, nil
end

rules[25] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 5 or 1)
  end
  if count >= 17 and weight % 5 == 1 then
    return clamp(round2(weight * 14 / 10), 0, 241), "bulk-media-17"
  end
  return 0, nil
end

rules[26] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 9 or 1)
  end
  if count >= 1 and weight % 3 == 0 then
    return clamp(round2(weight * 4 / 10), 0, 51), "bulk-sport-1"
  end
  return 0, nil
end

rules[27] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 104), "partner-food"
  end
  return 0, nil
end

rules[28] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 10 / 100), 0, 249), "partner-sport"
  end
  return 0, nil
end

rules[29] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 6 and weight % 6 == 0 then
    return clamp(round2(weight * 12 / 10), 0, 24), "bulk-sport-6"
  end
  return 0, nil
end

rules[30] = function(order)
  if order.country == "SE" and order.total >= 163 and order.total < 774 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 148), "SE-163-774"
  end
  return 0, nil
end

rules[31] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 7 or 1)
  end
  if count >= 3 and weight % 6 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 145), "bulk-office-3"
  end
  return 0, nil
end

rules[32] = function(order)
  if order.segment == "public" and (order.country == "NL" or order.loyalty > 6) then
    local base = order.total - 139
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 0), 0, 100), "loyal-public"
    end
  end
  return 0, nil
end

rules[33] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 152), "partner-food"
  end
  return 0, nil
end

rules[34] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 23 / 100), 0, 109), "public-office"
  end
  return 0, nil
end

rules[35] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 29 / 100), 0, 198), "wholesale-books"
  end
  return 0, nil
end

rules[36] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 17 / 100), 0, 170), "public-garden"
  end
  return 0, nil
end

rules[37] = function(order)
  if order.country == "NL" and order.total >= 333 and order.total < 2084 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 215), "NL-333-2084"
  end
  return 0, nil
end

rules[38] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 10 and weight % 6 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 207), "bulk-tools-10"
  end
  return 0, nil
end

rules[39] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 11 / 100), 0, 149), "partner-garden"
  end
  return 0, nil
end

rules[40] = function(order)
  if order.country == "FR" and order.total >= 309 and order.total < 582 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 223), "FR-309-582"
  end
  return 0, nil
end

rules[41] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 5 or 1)
  end
  if count >= 7 and weight % 2 == 1 then
    return clamp(round2(weight * 2 / 10), 0, 212), "bulk-office-7"
  end
  return 0, nil
end

rules[42] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 2 / 100), 0, 174), "partner-office"
  end
  return 0, nil
end

rules[43] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 2) then
    local base = order.total - 320
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 0), 0, 175), "loyal-partner"
    end
  end
  return 0, nil
end

rules[44] = function(order)
  if order.country == "SE" and order.total >= 125 and order.total < 1474 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 248), "SE-125-1474"
  end
  return 0, nil
end

rules[45] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 6 or 1)
  end
  if count >= 10 and weight % 3 == 0 then
    return clamp(round2(weight * 30 / 10), 0, 82), "bulk-office-10"
  end
  return 0, nil
end

rules[46] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 9 or 1)
  end
  if count >= 7 and weight % 4 == 1 then
    return clamp(round2(weight * 6 / 10), 0, 185), "bulk-sport-7"
  end
  return 0, nil
end

rules[47] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 5 or 1)
  end
  if count >= 11 and weight % 5 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 178), "bulk-tools-11"
  end
  return 0, nil
end

rules[48] = function(order)
  if order.segment == "public" and (order.country == "GB" or order.loyalty > 4) then
    local base = order.total - 385
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 8), 0, 48), "loyal-public"
    end
  end
  return 0, nil
end

rules[49] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 11 and weight % 5 == 0 then
    return clamp(round2(weight * 16 / 10), 0, 219), "bulk-sport-11"
  end
  return 0, nil
end

rules[50] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 20 / 100), 0, 138), "partner-food"
  end
  return 0, nil
end

rules[51] = function(order)
  if order.country == "IT" and order.total >= 38 and order.total < 978 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 128), "IT-38-978"
  end
  return 0, nil
end

rules[52] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 2 or 1)
  end
  if count >= 8 and weight % 2 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 186), "bulk-office-8"
  end
  return 0, nil
end

rules[53] = function(order)
  if order.segment == "retail" and (order.country == "PL" or order.loyalty > 4) then
    local base = order.total - 45
    if base > 0 then
      return clamp(round2(base * 24 / 1000 + 2), 0, 96), "loyal-retail"
    end
  end
  return 0, nil
end

rules[54] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 4 or 1)
  end
  if count >= 16 and weight % 4 == 0 then
    return clamp(round2(weight * 20 / 10), 0, 97), "bulk-media-16"
  end
  return 0, nil
end

rules[55] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 24 / 100), 0, 201), "public-sport"
  end
  return 0, nil
end

rules[56] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 1 / 100), 0, 64), "retail-media"
  end
  return 0, nil
end

rules[57] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 7 and weight % 7 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 240), "bulk-books-7"
  end
  return 0, nil
end

rules[58] = function(order)
  if order.country == "NL" and order.total >= 1 and order.total < 1674 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 39), "NL-1-1674"
  end
  return 0, nil
end

rules[59] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 11 and weight % 6 == 0 then
    return clamp(round2(weight * 18 / 10), 0, 203), "bulk-toys-11"
  end
  return 0, nil
end

rules[60] = function(order)
  if order.country == "CA" and order.total >= 89 and order.total < 1232 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 133), "CA-89-1232"
  end
  return 0, nil
end

rules[61] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 9 and weight % 5 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 23), "bulk-books-9"
  end
  return 0, nil
end

rules[62] = function(order)
  if order.segment == "education" and (order.country == "GB" or order.loyalty > 1) then
    local base = order.total - 162
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 6), 0, 223), "loyal-education"
    end
  end
  return 0, nil
end

rules[63] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 3) then
    local base = order.total - 139
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 7), 0, 189), "loyal-partner"
    end
  end
  return 0, nil
end

rules[64] = function(order)
  if order.country == "JP" and order.total >= 353 and order.total < 2166 then
    local d = round2(order.total * 30 / 100)
    return clamp(d, 0, 27), "JP-353-2166"
  end
  return 0, nil
end

rules[65] = function(order)
  if order.segment == "education" and (order.country == "IT" or order.loyalty > 7) then
    local base = order.total - 157
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 1), 0, 240), "loyal-education"
    end
  end
  return 0, nil
end

rules[66] = function(order)
  if order.segment == "public" and (order.country == "IT" or order.loyalty > 3) then
    local base = order.total - 291
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 8), 0, 78), "loyal-public"
    end
  end
  return 0, nil
end

rules[67] = function(order)
  if order.country == "IT" and order.total >= 71 and order.total < 1977 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 170), "IT-71-1977"
  end
  return 0, nil
end

rules[68] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 4 or 1)
  end
  if count >= 15 and weight % 7 == 1 then
    return clamp(round2(weight * 29 / 10), 0, 30), "bulk-office-15"
  end
  return 0, nil
end

rules[69] = function(order)
  if order.country == "NL" and order.total >= 25 and order.total < 486 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 132), "NL-25-486"
  end
  return 0, nil
end

rules[70] = function(order)
  if order.segment == "public" and (order.country == "JP" or order.loyalty > 9) then
    local base = order.total - 12
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 1), 0, 204), "loyal-public"
    end
  end
  return 0, nil
end

rules[71] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 73), "public-books"
  end
  return 0, nil
end

rules[72] = function(order)
  if order.country == "GB" and order.total >= 211 and order.total < 1699 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 54), "GB-211-1699"
  end
  return 0, nil
end

rules[73] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 3 or 1)
  end
  if count >= 3 and weight % 7 == 0 then
    return clamp(round2(weight * 12 / 10), 0, 84), "bulk-sport-3"
  end
  return 0, nil
end

rules[74] = function(order)
  if order.segment == "retail" and (order.country == "US" or order.loyalty > 5) then
    local base = order.total - 177
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 3), 0, 58), "loyal-retail"
    end
  end
  return 0, nil
end

rules[75] = function(order)
  if order.segment == "education" and (order.country == "ES" or order.loyalty > 7) then
    local base = order.total - 17
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 3), 0, 181), "loyal-education"
    end
  end
  return 0, nil
end

rules[76] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 12 / 100), 0, 29), "education-tools"
  end
  return 0, nil
end

rules[77] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 5) then
    local base = order.total - 106
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 9), 0, 124), "loyal-partner"
    end
  end
  return 0, nil
end

rules[78] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 9 or 1)
  end
  if count >= 6 and weight % 6 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 223), "bulk-office-6"
  end
  return 0, nil
end

rules[79] = function(order)
  if order.segment == "public" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 81
    if base > 0 then
      return clamp(round2(base * 24 / 1000 + 6), 0, 99), "loyal-public"
    end
  end
  return 0, nil
end

rules[80] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 15 and weight % 3 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 141), "bulk-toys-15"
  end
  return 0, nil
end

rules[81] = function(order)
  if order.country == "NL" and order.total >= 364 and order.total < 1868 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 82), "NL-364-1868"
  end
  return 0, nil
end

rules[82] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 7 or 1)
  end
  if count >= 17 and weight % 4 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 235), "bulk-media-17"
  end
  return 0, nil
end

rules[83] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 6 / 100), 0, 203), "education-garden"
  end
  return 0, nil
end

rules[84] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 6 or 1)
  end
  if count >= 15 and weight % 4 == 0 then
    return clamp(round2(weight * 11 / 10), 0, 65), "bulk-books-15"
  end
  return 0, nil
end

rules[85] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 12 / 100), 0, 194), "retail-sport"
  end
  return 0, nil
end

rules[86] = function(order)
  if order.country == "CA" and order.total >= 69 and order.total < 1494 then
    local d = round2(order.total * 16 / 100)
    return clamp(d, 0, 172), "CA-69-1494"
  end
  return 0, nil
end

rules[87] = function(order)
  if order.country == "FR" and order.total >= 226 and order.total < 941 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 185), "FR-226-941"
  end
  return 0, nil
end

rules[88] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 28 / 100), 0, 92), "education-garden"
  end
  return 0, nil
end

rules[89] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 17 and weight % 2 == 0 then
    return clamp(round2(weight * 21 / 10), 0, 66), "bulk-garden-17"
  end
  return 0, nil
end

rules[90] = function(order)
  if order.segment == "partner" and (order.country == "NL" or order.loyalty > 9) then
    local base = order.total - 7
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 4), 0, 106), "loyal-partner"
    end
  end
  return 0, nil
end

rules[91] = function(order)
  if order.country == "FR" and order.total >= 56 and order.total < 1131 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 113), "FR-56-1131"
  end
  return 0, nil
end

rules[92] = function(order)
  if order.segment == "partner" and (order.country == "PL" or order.loyalty > 9) then
    local base = order.total - 318
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 8), 0, 24), "loyal-partner"
    end
  end
  return 0, nil
end

rules[93] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 3 and weight % 2 == 1 then
    return clamp(round2(weight * 18 / 10), 0, 248), "bulk-toys-3"
  end
  return 0, nil
end

rules[94] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 28 / 100), 0, 249), "public-office"
  end
  return 0, nil
end

rules[95] = function(order)
  if order.country == "SE" and order.total >= 92 and order.total < 426 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 223), "SE-92-426"
  end
  return 0, nil
end

rules[96] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 346
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 7), 0, 42), "loyal-education"
    end
  end
  return 0, nil
end

rules[97] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 13 / 100), 0, 51), "education-media"
  end
  return 0, nil
end

rules[98] = function(order)
  if order.country == "NL" and order.total >= 375 and order.total < 687 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 70), "NL-375-687"
  end
  return 0, nil
end

rules[99] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 15 / 100), 0, 135), "retail-food"
  end
  return 0, nil
end

rules[100] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 3 / 100), 0, 53), "public-tools"
  end
  return 0, nil
end

rules[101] = function(order)
  if order.country == "ES" and order.total >= 397 and order.total < 1731 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 29), "ES-397-1731"
  end
  return 0, nil
end

rules[102] = function(order)
  if order.segment == "education" and (order.country == "FR" or order.loyalty > 7) then
    local base = order.total - 279
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 6), 0, 242), "loyal-education"
    end
  end
  return 0, nil
end

rules[103] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 17 and weight % 3 == 1 then
    return clamp(round2(weight * 6 / 10), 0, 53), "bulk-garden-17"
  end
  return 0, nil
end

rules[104] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 1 / 100), 0, 139), "public-sport"
  end
  return 0, nil
end

rules[105] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 7 / 100), 0, 20), "public-books"
  end
  return 0, nil
end

rules[106] = function(order)
  if order.segment == "wholesale" and (order.country == "SE" or order.loyalty > 6) then
    local base = order.total - 320
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 4), 0, 73), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[107] = function(order)
  if order.country == "US" and order.total >= 182 and order.total < 233 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 92), "US-182-233"
  end
  return 0, nil
end

rules[108] = function(order)
  if order.country == "AU" and order.total >= 158 and order.total < 1854 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 220), "AU-158-1854"
  end
  return 0, nil
end

rules[109] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 15 / 100), 0, 242), "retail-books"
  end
  return 0, nil
end

rules[110] = function(order)
  if order.segment == "education" and (order.country == "ES" or order.loyalty > 3) then
    local base = order.total - 209
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 7), 0, 53), "loyal-education"
    end
  end
  return 0, nil
end

rules[111] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 26 / 100), 0, 17), "partner-media"
  end
  return 0, nil
end

rules[112] = function(order)
  if order.country == "JP" and order.total >= 129 and order.total < 1770 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 27), "JP-129-1770"
  end
  return 0, nil
end

rules[113] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 13 and weight % 7 == 0 then
    return clamp(round2(weight * 22 / 10), 0, 5), "bulk-books-13"
  end
  return 0, nil
end

rules[114] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 1) then
    local base = order.total - 158
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 4), 0, 110), "loyal-education"
    end
  end
  return 0, nil
end

rules[115] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 15 and weight % 4 == 1 then
    return clamp(round2(weight * 24 / 10), 0, 20), "bulk-toys-15"
  end
  return 0, nil
end

rules[116] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 11 and weight % 4 == 0 then
    return clamp(round2(weight * 4 / 10), 0, 210), "bulk-books-11"
  end
  return 0, nil
end

rules[117] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 4 or 1)
  end
  if count >= 2 and weight % 4 == 0 then
    return clamp(round2(weight * 11 / 10), 0, 31), "bulk-office-2"
  end
  return 0, nil
end

rules[118] = function(order)
  if order.country == "JP" and order.total >= 155 and order.total < 481 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 222), "JP-155-481"
  end
  return 0, nil
end

rules[119] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 12 and weight % 2 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 157), "bulk-toys-12"
  end
  return 0, nil
end

rules[120] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 3 and weight % 3 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 36), "bulk-books-3"
  end
  return 0, nil
end

rules[121] = function(order)
  if order.country == "FR" and order.total >= 58 and order.total < 1197 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 108), "FR-58-1197"
  end
  return 0, nil
end

rules[122] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 7 and weight % 6 == 1 then
    return clamp(round2(weight * 19 / 10), 0, 176), "bulk-books-7"
  end
  return 0, nil
end

rules[123] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 8 or 1)
  end
  if count >= 3 and weight % 4 == 0 then
    return clamp(round2(weight * 20 / 10), 0, 65), "bulk-books-3"
  end
  return 0, nil
end

rules[124] = function(order)
  if order.country == "AU" and order.total >= 173 and order.total < 1462 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 72), "AU-173-1462"
  end
  return 0, nil
end

rules[125] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 4 or 1)
  end
  if count >= 19 and weight % 5 == 0 then
    return clamp(round2(weight * 8 / 10), 0, 48), "bulk-books-19"
  end
  return 0, nil
end

rules[126] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 4 / 100), 0, 85), "retail-sport"
  end
  return 0, nil
end

rules[127] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 7 or 1)
  end
  if count >= 19 and weight % 3 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 60), "bulk-office-19"
  end
  return 0, nil
end

rules[128] = function(order)
  if order.segment == "public" and (order.country == "GB" or order.loyalty > 7) then
    local base = order.total - 327
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 9), 0, 96), "loyal-public"
    end
  end
  return 0, nil
end

rules[129] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 4) then
    local base = order.total - 220
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 1), 0, 233), "loyal-partner"
    end
  end
  return 0, nil
end

rules[130] = function(order)
  if order.country == "JP" and order.total >= 271 and order.total < 2253 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 115), "JP-271-2253"
  end
  return 0, nil
end

rules[131] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 3 or 1)
  end
  if count >= 20 and weight % 7 == 0 then
    return clamp(round2(weight * 30 / 10), 0, 57), "bulk-garden-20"
  end
  return 0, nil
end

rules[132] = function(order)
  if order.country == "SE" and order.total >= 380 and order.total < 1931 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 26), "SE-380-1931"
  end
  return 0, nil
end

rules[133] = function(order)
  if order.country == "ES" and order.total >= 189 and order.total < 1915 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 179), "ES-189-1915"
  end
  return 0, nil
end

rules[134] = function(order)
  if order.country == "NL" and order.total >= 122 and order.total < 1856 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 206), "NL-122-1856"
  end
  return 0, nil
end

rules[135] = function(order)
  if order.country == "DE" and order.total >= 347 and order.total < 766 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 121), "DE-347-766"
  end
  return 0, nil
end

rules[136] = function(order)
  if order.segment == "wholesale" and (order.country == "DE" or order.loyalty > 5) then
    local base = order.total - 12
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 1), 0, 162), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[137] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 3 or 1)
  end
  if count >= 19 and weight % 5 == 1 then
    return clamp(round2(weight * 26 / 10), 0, 98), "bulk-food-19"
  end
  return 0, nil
end

rules[138] = function(order)
  if order.country == "PL" and order.total >= 74 and order.total < 1050 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 171), "PL-74-1050"
  end
  return 0, nil
end

rules[139] = function(order)
  if order.segment == "retail" and (order.country == "DE" or order.loyalty > 9) then
    local base = order.total - 144
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 2), 0, 46), "loyal-retail"
    end
  end
  return 0, nil
end

rules[140] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 7 or 1)
  end
  if count >= 7 and weight % 5 == 1 then
    return clamp(round2(weight * 26 / 10), 0, 14), "bulk-food-7"
  end
  return 0, nil
end

rules[141] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 1) then
    local base = order.total - 115
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 4), 0, 145), "loyal-education"
    end
  end
  return 0, nil
end

rules[142] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 4 or 1)
  end
  if count >= 11 and weight % 5 == 0 then
    return clamp(round2(weight * 7 / 10), 0, 28), "bulk-garden-11"
  end
  return 0, nil
end

rules[143] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 27 / 100), 0, 245), "partner-tools"
  end
  return 0, nil
end

rules[144] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 4 / 100), 0, 52), "wholesale-garden"
  end
  return 0, nil
end

rules[145] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 6) then
    local base = order.total - 315
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 6), 0, 19), "loyal-retail"
    end
  end
  return 0, nil
end

rules[146] = function(order)
  if order.country == "FR" and order.total >= 257 and order.total < 420 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 240), "FR-257-420"
  end
  return 0, nil
end

rules[147] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 16 / 100), 0, 117), "partner-tools"
  end
  return 0, nil
end

rules[148] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 2 / 100), 0, 176), "education-toys"
  end
  return 0, nil
end

rules[149] = function(order)
  if order.country == "DE" and order.total >= 260 and order.total < 1073 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 242), "DE-260-1073"
  end
  return 0, nil
end

rules[150] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 4 or 1)
  end
  if count >= 11 and weight % 5 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 144), "bulk-toys-11"
  end
  return 0, nil
end

rules[151] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 7) then
    local base = order.total - 322
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 4), 0, 101), "loyal-retail"
    end
  end
  return 0, nil
end

rules[152] = function(order)
  if order.segment == "wholesale" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 346
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 9), 0, 92), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[153] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 2 or 1)
  end
  if count >= 7 and weight % 5 == 1 then
    return clamp(round2(weight * 24 / 10), 0, 177), "bulk-tools-7"
  end
  return 0, nil
end

rules[154] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 19 and weight % 4 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 223), "bulk-tools-19"
  end
  return 0, nil
end

rules[155] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 15 / 100), 0, 240), "public-food"
  end
  return 0, nil
end

rules[156] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 9 / 100), 0, 109), "retail-sport"
  end
  return 0, nil
end

rules[157] = function(order)
  if order.country == "ES" and order.total >= 92 and order.total < 1955 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 32), "ES-92-1955"
  end
  return 0, nil
end

rules[158] = function(order)
  if order.country == "NL" and order.total >= 66 and order.total < 1548 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 185), "NL-66-1548"
  end
  return 0, nil
end

rules[159] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 14 / 100), 0, 111), "wholesale-books"
  end
  return 0, nil
end

rules[160] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 13 / 100), 0, 162), "retail-office"
  end
  return 0, nil
end

rules[161] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 17 / 100), 0, 236), "public-media"
  end
  return 0, nil
end

rules[162] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 5 or 1)
  end
  if count >= 12 and weight % 3 == 1 then
    return clamp(round2(weight * 20 / 10), 0, 179), "bulk-tools-12"
  end
  return 0, nil
end

rules[163] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 12 and weight % 6 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 184), "bulk-sport-12"
  end
  return 0, nil
end

rules[164] = function(order)
  if order.country == "AU" and order.total >= 300 and order.total < 1321 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 192), "AU-300-1321"
  end
  return 0, nil
end

rules[165] = function(order)
  if order.country == "PL" and order.total >= 311 and order.total < 2260 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 235), "PL-311-2260"
  end
  return 0, nil
end

rules[166] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 30 / 100), 0, 197), "education-food"
  end
  return 0, nil
end

rules[167] = function(order)
  if order.country == "JP" and order.total >= 358 and order.total < 545 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 73), "JP-358-545"
  end
  return 0, nil
end

rules[168] = function(order)
  if order.country == "FR" and order.total >= 86 and order.total < 1314 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 26), "FR-86-1314"
  end
  return 0, nil
end

rules[169] = function(order)
  if order.country == "JP" and order.total >= 242 and order.total < 740 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 71), "JP-242-740"
  end
  return 0, nil
end

rules[170] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 2) then
    local base = order.total - 137
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 0), 0, 174), "loyal-retail"
    end
  end
  return 0, nil
end

rules[171] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 7) then
    local base = order.total - 366
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 9), 0, 131), "loyal-education"
    end
  end
  return 0, nil
end

rules[172] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 9 or 1)
  end
  if count >= 15 and weight % 2 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 94), "bulk-food-15"
  end
  return 0, nil
end

rules[173] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 18 / 100), 0, 233), "education-sport"
  end
  return 0, nil
end

rules[174] = function(order)
  if order.country == "IT" and order.total >= 16 and order.total < 1133 then
    local d = round2(order.total * 22 / 100)
    return clamp(d, 0, 218), "IT-16-1133"
  end
  return 0, nil
end

rules[175] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 6 or 1)
  end
  if count >= 7 and weight % 3 == 1 then
    return clamp(round2(weight * 25 / 10), 0, 26), "bulk-books-7"
  end
  return 0, nil
end

rules[176] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 267
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 8), 0, 84), "loyal-retail"
    end
  end
  return 0, nil
end

rules[177] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 18 / 100), 0, 76), "wholesale-garden"
  end
  return 0, nil
end

rules[178] = function(order)
  if order.segment == "wholesale" and (order.country == "DE" or order.loyalty > 6) then
    local base = order.total - 316
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 9), 0, 163), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[179] = function(order)
  if order.country == "ES" and order.total >= 352 and order.total < 610 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 162), "ES-352-610"
  end
  return 0, nil
end

rules[180] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 27 / 100), 0, 216), "retail-books"
  end
  return 0, nil
end

rules[181] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 6 and weight % 2 == 1 then
    return clamp(round2(weight * 4 / 10), 0, 211), "bulk-garden-6"
  end
  return 0, nil
end

rules[182] = function(order)
  if order.country == "CA" and order.total >= 260 and order.total < 1814 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 28), "CA-260-1814"
  end
  return 0, nil
end

rules[183] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 18 and weight % 7 == 0 then
    return clamp(round2(weight * 8 / 10), 0, 192), "bulk-garden-18"
  end
  return 0, nil
end

rules[184] = function(order)
  if order.segment == "retail" and (order.country == "JP" or order.loyalty > 7) then
    local base = order.total - 102
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 3), 0, 25), "loyal-retail"
    end
  end
  return 0, nil
end

rules[185] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 16 / 100), 0, 242), "wholesale-sport"
  end
  return 0, nil
end

rules[186] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 8 or 1)
  end
  if count >= 10 and weight % 5 == 1 then
    return clamp(round2(weight * 17 / 10), 0, 158), "bulk-food-10"
  end
  return 0, nil
end

rules[187] = function(order)
  if order.country == "PL" and order.total >= 266 and order.total < 599 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 142), "PL-266-599"
  end
  return 0, nil
end

rules[188] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 9) then
    local base = order.total - 42
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 3), 0, 91), "loyal-partner"
    end
  end
  return 0, nil
end

rules[189] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 2 and weight % 5 == 0 then
    return clamp(round2(weight * 5 / 10), 0, 99), "bulk-books-2"
  end
  return 0, nil
end

rules[190] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 10 / 100), 0, 197), "education-media"
  end
  return 0, nil
end

rules[191] = function(order)
  if order.country == "FR" and order.total >= 280 and order.total < 1392 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 154), "FR-280-1392"
  end
  return 0, nil
end

rules[192] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 19 and weight % 5 == 0 then
    return clamp(round2(weight * 26 / 10), 0, 72), "bulk-tools-19"
  end
  return 0, nil
end

rules[193] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 2) then
    local base = order.total - 347
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 1), 0, 111), "loyal-partner"
    end
  end
  return 0, nil
end

rules[194] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 4 or 1)
  end
  if count >= 1 and weight % 4 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 73), "bulk-food-1"
  end
  return 0, nil
end

rules[195] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 4 and weight % 7 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 215), "bulk-books-4"
  end
  return 0, nil
end

rules[196] = function(order)
  if order.country == "JP" and order.total >= 229 and order.total < 1169 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 207), "JP-229-1169"
  end
  return 0, nil
end

rules[197] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 13 / 100), 0, 111), "wholesale-tools"
  end
  return 0, nil
end

rules[198] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 4) then
    local base = order.total - 296
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 9), 0, 60), "loyal-public"
    end
  end
  return 0, nil
end

rules[199] = function(order)
  if order.country == "GB" and order.total >= 268 and order.total < 544 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 145), "GB-268-544"
  end
  return 0, nil
end

rules[200] = function(order)
  if order.country == "ES" and order.total >= 327 and order.total < 1110 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 111), "ES-327-1110"
  end
  return 0, nil
end

rules[201] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 3 or 1)
  end
  if count >= 14 and weight % 7 == 0 then
    return clamp(round2(weight * 26 / 10), 0, 157), "bulk-sport-14"
  end
  return 0, nil
end

rules[202] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 24 / 100), 0, 155), "public-tools"
  end
  return 0, nil
end

rules[203] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 8 or 1)
  end
  if count >= 19 and weight % 2 == 0 then
    return clamp(round2(weight * 13 / 10), 0, 144), "bulk-garden-19"
  end
  return 0, nil
end

rules[204] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 17 and weight % 4 == 0 then
    return clamp(round2(weight * 12 / 10), 0, 28), "bulk-books-17"
  end
  return 0, nil
end

rules[205] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 23 / 100), 0, 186), "education-food"
  end
  return 0, nil
end

rules[206] = function(order)
  if order.country == "SE" and order.total >= 247 and order.total < 344 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 138), "SE-247-344"
  end
  return 0, nil
end

rules[207] = function(order)
  if order.country == "NL" and order.total >= 78 and order.total < 570 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 141), "NL-78-570"
  end
  return 0, nil
end

rules[208] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 9) then
    local base = order.total - 304
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 0), 0, 28), "loyal-public"
    end
  end
  return 0, nil
end

rules[209] = function(order)
  if order.segment == "partner" and (order.country == "ES" or order.loyalty > 3) then
    local base = order.total - 375
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 6), 0, 40), "loyal-partner"
    end
  end
  return 0, nil
end

rules[210] = function(order)
  if order.country == "ES" and order.total >= 385 and order.total < 565 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 93), "ES-385-565"
  end
  return 0, nil
end

rules[211] = function(order)
  if order.segment == "public" and (order.country == "FR" or order.loyalty > 9) then
    local base = order.total - 293
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 3), 0, 42), "loyal-public"
    end
  end
  return 0, nil
end

rules[212] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 20 / 100), 0, 53), "wholesale-toys"
  end
  return 0, nil
end

rules[213] = function(order)
  if order.segment == "wholesale" and (order.country == "CA" or order.loyalty > 6) then
    local base = order.total - 23
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 1), 0, 221), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[214] = function(order)
  if order.segment == "partner" and (order.country == "SE" or order.loyalty > 4) then
    local base = order.total - 273
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 4), 0, 29), "loyal-partner"
    end
  end
  return 0, nil
end

rules[215] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 14 / 100), 0, 152), "partner-food"
  end
  return 0, nil
end

rules[216] = function(order)
  if order.country == "GB" and order.total >= 301 and order.total < 2127 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 238), "GB-301-2127"
  end
  return 0, nil
end

rules[217] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 8 or 1)
  end
  if count >= 7 and weight % 2 == 0 then
    return clamp(round2(weight * 6 / 10), 0, 68), "bulk-garden-7"
  end
  return 0, nil
end

rules[218] = function(order)
  if order.segment == "wholesale" and (order.country == "JP" or order.loyalty > 6) then
    local base = order.total - 37
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 7), 0, 24), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[219] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 29 / 100), 0, 242), "wholesale-office"
  end
  return 0, nil
end

rules[220] = function(order)
  if order.country == "NL" and order.total >= 162 and order.total < 894 then
    local d = round2(order.total * 6 / 100)
    return clamp(d, 0, 125), "NL-162-894"
  end
  return 0, nil
end

rules[221] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 2 or 1)
  end
  if count >= 16 and weight % 4 == 1 then
    return clamp(round2(weight * 9 / 10), 0, 11), "bulk-office-16"
  end
  return 0, nil
end

rules[222] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 17 and weight % 4 == 1 then
    return clamp(round2(weight * 16 / 10), 0, 124), "bulk-books-17"
  end
  return 0, nil
end

rules[223] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 4 / 100), 0, 169), "wholesale-toys"
  end
  return 0, nil
end

rules[224] = function(order)
  if order.country == "GB" and order.total >= 314 and order.total < 1995 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 52), "GB-314-1995"
  end
  return 0, nil
end

rules[225] = function(order)
  if order.segment == "partner" and (order.country == "CA" or order.loyalty > 4) then
    local base = order.total - 102
    if base > 0 then
      return clamp(round2(base * 3 / 1000 + 2), 0, 49), "loyal-partner"
    end
  end
  return 0, nil
end

rules[226] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 5 / 100), 0, 212), "public-toys"
  end
  return 0, nil
end

rules[227] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 11 / 100), 0, 59), "wholesale-garden"
  end
  return 0, nil
end

rules[228] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 15 / 100), 0, 249), "public-media"
  end
  return 0, nil
end

rules[229] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 9) then
    local base = order.total - 314
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 4), 0, 57), "loyal-partner"
    end
  end
  return 0, nil
end

rules[230] = function(order)
  if order.segment == "wholesale" and (order.country == "US" or order.loyalty > 4) then
    local base = order.total - 316
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 9), 0, 187), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[231] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 8 or 1)
  end
  if count >= 12 and weight % 3 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 178), "bulk-sport-12"
  end
  return 0, nil
end

rules[232] = function(order)
  if order.country == "DE" and order.total >= 383 and order.total < 1432 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 138), "DE-383-1432"
  end
  return 0, nil
end

rules[233] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 9 or 1)
  end
  if count >= 12 and weight % 3 == 1 then
    return clamp(round2(weight * 11 / 10), 0, 167), "bulk-garden-12"
  end
  return 0, nil
end

rules[234] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 3 / 100), 0, 227), "public-tools"
  end
  return 0, nil
end

rules[235] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 12 / 100), 0, 36), "public-toys"
  end
  return 0, nil
end

rules[236] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 5) then
    local base = order.total - 63
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 4), 0, 84), "loyal-partner"
    end
  end
  return 0, nil
end

rules[237] = function(order)
  if order.segment == "wholesale" and (order.country == "SE" or order.loyalty > 6) then
    local base = order.total - 331
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 3), 0, 82), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[238] = function(order)
  if order.segment == "retail" and (order.country == "FR" or order.loyalty > 1) then
    local base = order.total - 119
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 5), 0, 50), "loyal-retail"
    end
  end
  return 0, nil
end

rules[239] = function(order)
  if order.segment == "retail" and (order.country == "GB" or order.loyalty > 5) then
    local base = order.total - 23
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 0), 0, 115), "loyal-retail"
    end
  end
  return 0, nil
end

rules[240] = function(order)
  if order.country == "CA" and order.total >= 233 and order.total < 798 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 38), "CA-233-798"
  end
  return 0, nil
end

rules[241] = function(order)
  if order.segment == "wholesale" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 134
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 8), 0, 142), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[242] = function(order)
  if order.country == "NL" and order.total >= 121 and order.total < 965 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 35), "NL-121-965"
  end
  return 0, nil
end

rules[243] = function(order)
  if order.segment == "wholesale" and (order.country == "AU" or order.loyalty > 8) then
    local base = order.total - 40
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 8), 0, 78), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[244] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 17 and weight % 4 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 112), "bulk-books-17"
  end
  return 0, nil
end

rules[245] = function(order)
  if order.country == "DE" and order.total >= 394 and order.total < 1683 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 194), "DE-394-1683"
  end
  return 0, nil
end

rules[246] = function(order)
  if order.segment == "education" and (order.country == "NL" or order.loyalty > 4) then
    local base = order.total - 42
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 4), 0, 184), "loyal-education"
    end
  end
  return 0, nil
end

rules[247] = function(order)
  if order.country == "JP" and order.total >= 382 and order.total < 2089 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 35), "JP-382-2089"
  end
  return 0, nil
end

rules[248] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 17 / 100), 0, 145), "education-tools"
  end
  return 0, nil
end

rules[249] = function(order)
  if order.country == "ES" and order.total >= 305 and order.total < 850 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 42), "ES-305-850"
  end
  return 0, nil
end

rules[250] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 28 / 100), 0, 48), "public-toys"
  end
  return 0, nil
end

rules[251] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 2 or 1)
  end
  if count >= 10 and weight % 2 == 0 then
    return clamp(round2(weight * 22 / 10), 0, 27), "bulk-sport-10"
  end
  return 0, nil
end

rules[252] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 9) then
    local base = order.total - 191
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 4), 0, 152), "loyal-public"
    end
  end
  return 0, nil
end

rules[253] = function(order)
  if order.segment == "public" and (order.country == "US" or order.loyalty > 6) then
    local base = order.total - 172
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 3), 0, 228), "loyal-public"
    end
  end
  return 0, nil
end

rules[254] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 1) then
    local base = order.total - 177
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 3), 0, 83), "loyal-education"
    end
  end
  return 0, nil
end

rules[255] = function(order)
  if order.segment == "retail" and (order.country == "NL" or order.loyalty > 5) then
    local base = order.total - 335
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 4), 0, 77), "loyal-retail"
    end
  end
  return 0, nil
end

rules[256] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 122), "partner-media"
  end
  return 0, nil
end

rules[257] = function(order)
  if order.country == "ES" and order.total >= 306 and order.total < 1705 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 5), "ES-306-1705"
  end
  return 0, nil
end

rules[258] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 9) then
    local base = order.total - 377
    if base > 0 then
      return clamp(round2(base * 28 / 1000 + 6), 0, 219), "loyal-education"
    end
  end
  return 0, nil
end

rules[259] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 27 / 100), 0, 223), "public-garden"
  end
  return 0, nil
end

rules[260] = function(order)
  if order.country == "FR" and order.total >= 27 and order.total < 332 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 145), "FR-27-332"
  end
  return 0, nil
end

rules[261] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 5 / 100), 0, 168), "retail-sport"
  end
  return 0, nil
end

rules[262] = function(order)
  if order.segment == "wholesale" and (order.country == "JP" or order.loyalty > 6) then
    local base = order.total - 2
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 6), 0, 60), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[263] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 3 / 100), 0, 51), "partner-sport"
  end
  return 0, nil
end

rules[264] = function(order)
  if order.segment == "wholesale" and (order.country == "US" or order.loyalty > 1) then
    local base = order.total - 213
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 4), 0, 140), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[265] = function(order)
  if order.segment == "partner" and (order.country == "ES" or order.loyalty > 5) then
    local base = order.total - 75
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 8), 0, 113), "loyal-partner"
    end
  end
  return 0, nil
end

rules[266] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 9) then
    local base = order.total - 142
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 3), 0, 151), "loyal-education"
    end
  end
  return 0, nil
end

rules[267] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 1) then
    local base = order.total - 198
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 9), 0, 122), "loyal-partner"
    end
  end
  return 0, nil
end

rules[268] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 7 and weight % 3 == 1 then
    return clamp(round2(weight * 2 / 10), 0, 150), "bulk-garden-7"
  end
  return 0, nil
end

rules[269] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 7 / 100), 0, 111), "partner-garden"
  end
  return 0, nil
end

rules[270] = function(order)
  if order.segment == "education" and (order.country == "FR" or order.loyalty > 5) then
    local base = order.total - 69
    if base > 0 then
      return clamp(round2(base * 30 / 1000 + 8), 0, 221), "loyal-education"
    end
  end
  return 0, nil
end

rules[271] = function(order)
  if order.country == "AU" and order.total >= 392 and order.total < 1045 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 112), "AU-392-1045"
  end
  return 0, nil
end

rules[272] = function(order)
  if order.country == "PL" and order.total >= 16 and order.total < 1934 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 52), "PL-16-1934"
  end
  return 0, nil
end

rules[273] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 3 or 1)
  end
  if count >= 10 and weight % 5 == 1 then
    return clamp(round2(weight * 20 / 10), 0, 227), "bulk-office-10"
  end
  return 0, nil
end

rules[274] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 8) then
    local base = order.total - 387
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 7), 0, 74), "loyal-partner"
    end
  end
  return 0, nil
end

rules[275] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 3) then
    local base = order.total - 9
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 2), 0, 204), "loyal-retail"
    end
  end
  return 0, nil
end

rules[276] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 9 or 1)
  end
  if count >= 6 and weight % 3 == 0 then
    return clamp(round2(weight * 9 / 10), 0, 84), "bulk-tools-6"
  end
  return 0, nil
end

rules[277] = function(order)
  if order.country == "US" and order.total >= 13 and order.total < 295 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 161), "US-13-295"
  end
  return 0, nil
end

rules[278] = function(order)
  if order.country == "SE" and order.total >= 274 and order.total < 1271 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 126), "SE-274-1271"
  end
  return 0, nil
end

rules[279] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 1) then
    local base = order.total - 383
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 8), 0, 68), "loyal-partner"
    end
  end
  return 0, nil
end

rules[280] = function(order)
  if order.segment == "wholesale" and (order.country == "AU" or order.loyalty > 4) then
    local base = order.total - 316
    if base > 0 then
      return clamp(round2(base * 28 / 1000 + 4), 0, 84), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[281] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 13 / 100), 0, 18), "retail-sport"
  end
  return 0, nil
end

rules[282] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 9 or 1)
  end
  if count >= 19 and weight % 3 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 69), "bulk-office-19"
  end
  return 0, nil
end

rules[283] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 11 and weight % 3 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 54), "bulk-books-11"
  end
  return 0, nil
end

rules[284] = function(order)
  if order.country == "AU" and order.total >= 145 and order.total < 577 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 196), "AU-145-577"
  end
  return 0, nil
end

rules[285] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 3) then
    local base = order.total - 8
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 5), 0, 112), "loyal-partner"
    end
  end
  return 0, nil
end

rules[286] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 28 / 100), 0, 99), "partner-media"
  end
  return 0, nil
end

rules[287] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 1 / 100), 0, 76), "partner-books"
  end
  return 0, nil
end

rules[288] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 9 / 100), 0, 101), "education-office"
  end
  return 0, nil
end

rules[289] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 5 or 1)
  end
  if count >= 1 and weight % 5 == 1 then
    return clamp(round2(weight * 8 / 10), 0, 64), "bulk-toys-1"
  end
  return 0, nil
end

rules[290] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 9 / 100), 0, 238), "public-food"
  end
  return 0, nil
end

rules[291] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 24 / 100), 0, 62), "education-toys"
  end
  return 0, nil
end

rules[292] = function(order)
  if order.country == "ES" and order.total >= 225 and order.total < 1242 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 36), "ES-225-1242"
  end
  return 0, nil
end

rules[293] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 8 / 100), 0, 91), "partner-books"
  end
  return 0, nil
end

rules[294] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 14 / 100), 0, 184), "partner-sport"
  end
  return 0, nil
end

rules[295] = function(order)
  if order.country == "JP" and order.total >= 39 and order.total < 637 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 215), "JP-39-637"
  end
  return 0, nil
end

rules[296] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 22 / 100), 0, 63), "education-food"
  end
  return 0, nil
end

rules[297] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 2) then
    local base = order.total - 52
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 8), 0, 218), "loyal-retail"
    end
  end
  return 0, nil
end

rules[298] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 3) then
    local base = order.total - 331
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 0), 0, 116), "loyal-retail"
    end
  end
  return 0, nil
end

rules[299] = function(order)
  if order.country == "JP" and order.total >= 175 and order.total < 2022 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 224), "JP-175-2022"
  end
  return 0, nil
end

rules[300] = function(order)
  if order.segment == "public" and (order.country == "NL" or order.loyalty > 8) then
    local base = order.total - 58
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 5), 0, 68), "loyal-public"
    end
  end
  return 0, nil
end

rules[301] = function(order)
  if order.country == "DE" and order.total >= 208 and order.total < 268 then
    local d = round2(order.total * 30 / 100)
    return clamp(d, 0, 53), "DE-208-268"
  end
  return 0, nil
end

rules[302] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 2 or 1)
  end
  if count >= 4 and weight % 7 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 138), "bulk-media-4"
  end
  return 0, nil
end

rules[303] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 2 or 1)
  end
  if count >= 13 and weight % 4 == 1 then
    return clamp(round2(weight * 11 / 10), 0, 220), "bulk-food-13"
  end
  return 0, nil
end

rules[304] = function(order)
  if order.country == "SE" and order.total >= 302 and order.total < 651 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 134), "SE-302-651"
  end
  return 0, nil
end

rules[305] = function(order)
  if order.country == "PL" and order.total >= 14 and order.total < 1786 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 211), "PL-14-1786"
  end
  return 0, nil
end

rules[306] = function(order)
  if order.country == "AU" and order.total >= 139 and order.total < 874 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 192), "AU-139-874"
  end
  return 0, nil
end

rules[307] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 2 / 100), 0, 5), "wholesale-sport"
  end
  return 0, nil
end

rules[308] = function(order)
  if order.country == "US" and order.total >= 122 and order.total < 726 then
    local d = round2(order.total * 16 / 100)
    return clamp(d, 0, 149), "US-122-726"
  end
  return 0, nil
end

rules[309] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 26 / 100), 0, 49), "education-sport"
  end
  return 0, nil
end

rules[310] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 5) then
    local base = order.total - 20
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 5), 0, 47), "loyal-education"
    end
  end
  return 0, nil
end

rules[311] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 2 / 100), 0, 149), "partner-sport"
  end
  return 0, nil
end

rules[312] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 6 or 1)
  end
  if count >= 8 and weight % 6 == 1 then
    return clamp(round2(weight * 26 / 10), 0, 133), "bulk-food-8"
  end
  return 0, nil
end

rules[313] = function(order)
  if order.country == "GB" and order.total >= 21 and order.total < 1156 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 181), "GB-21-1156"
  end
  return 0, nil
end

rules[314] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 4 or 1)
  end
  if count >= 14 and weight % 2 == 1 then
    return clamp(round2(weight * 7 / 10), 0, 169), "bulk-toys-14"
  end
  return 0, nil
end

rules[315] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 15 and weight % 6 == 1 then
    return clamp(round2(weight * 24 / 10), 0, 6), "bulk-sport-15"
  end
  return 0, nil
end

rules[316] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 6 / 100), 0, 65), "wholesale-office"
  end
  return 0, nil
end

rules[317] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 22 / 100), 0, 93), "retail-books"
  end
  return 0, nil
end

rules[318] = function(order)
  if order.segment == "wholesale" and (order.country == "ES" or order.loyalty > 9) then
    local base = order.total - 167
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 7), 0, 223), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[319] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 28 / 100), 0, 60), "wholesale-media"
  end
  return 0, nil
end

rules[320] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 3 and weight % 2 == 0 then
    return clamp(round2(weight * 29 / 10), 0, 48), "bulk-garden-3"
  end
  return 0, nil
end

rules[321] = function(order)
  if order.country == "SE" and order.total >= 243 and order.total < 1074 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 245), "SE-243-1074"
  end
  return 0, nil
end

rules[322] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 3) then
    local base = order.total - 183
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 4), 0, 144), "loyal-education"
    end
  end
  return 0, nil
end

rules[323] = function(order)
  if order.country == "CA" and order.total >= 199 and order.total < 444 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 57), "CA-199-444"
  end
  return 0, nil
end

rules[324] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 5 or 1)
  end
  if count >= 13 and weight % 4 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 54), "bulk-food-13"
  end
  return 0, nil
end

rules[325] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 6 or 1)
  end
  if count >= 10 and weight % 3 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 185), "bulk-sport-10"
  end
  return 0, nil
end

rules[326] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 8) then
    local base = order.total - 131
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 8), 0, 12), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[327] = function(order)
  if order.segment == "education" and (order.country == "ES" or order.loyalty > 7) then
    local base = order.total - 313
    if base > 0 then
      return clamp(round2(base * 3 / 1000 + 3), 0, 41), "loyal-education"
    end
  end
  return 0, nil
end

rules[328] = function(order)
  if order.country == "GB" and order.total >= 1 and order.total < 1159 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 24), "GB-1-1159"
  end
  return 0, nil
end

rules[329] = function(order)
  if order.country == "CA" and order.total >= 159 and order.total < 286 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 234), "CA-159-286"
  end
  return 0, nil
end

rules[330] = function(order)
  if order.segment == "public" and (order.country == "PL" or order.loyalty > 7) then
    local base = order.total - 336
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 2), 0, 221), "loyal-public"
    end
  end
  return 0, nil
end

rules[331] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 4 or 1)
  end
  if count >= 1 and weight % 6 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 39), "bulk-food-1"
  end
  return 0, nil
end

rules[332] = function(order)
  if order.country == "US" and order.total >= 170 and order.total < 641 then
    local d = round2(order.total * 6 / 100)
    return clamp(d, 0, 237), "US-170-641"
  end
  return 0, nil
end

rules[333] = function(order)
  if order.country == "PL" and order.total >= 1 and order.total < 766 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 208), "PL-1-766"
  end
  return 0, nil
end

rules[334] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 7 / 100), 0, 112), "retail-food"
  end
  return 0, nil
end

rules[335] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 6 or 1)
  end
  if count >= 3 and weight % 2 == 1 then
    return clamp(round2(weight * 14 / 10), 0, 20), "bulk-toys-3"
  end
  return 0, nil
end

rules[336] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 20 / 100), 0, 7), "retail-books"
  end
  return 0, nil
end

rules[337] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 13 and weight % 4 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 249), "bulk-garden-13"
  end
  return 0, nil
end

rules[338] = function(order)
  if order.segment == "wholesale" and (order.country == "FR" or order.loyalty > 1) then
    local base = order.total - 142
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 3), 0, 99), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[339] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 8) then
    local base = order.total - 348
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 8), 0, 214), "loyal-partner"
    end
  end
  return 0, nil
end

rules[340] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 7 or 1)
  end
  if count >= 5 and weight % 4 == 0 then
    return clamp(round2(weight * 5 / 10), 0, 90), "bulk-media-5"
  end
  return 0, nil
end

rules[341] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 19 and weight % 4 == 0 then
    return clamp(round2(weight * 7 / 10), 0, 245), "bulk-sport-19"
  end
  return 0, nil
end

rules[342] = function(order)
  if order.country == "AU" and order.total >= 94 and order.total < 887 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 29), "AU-94-887"
  end
  return 0, nil
end

rules[343] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 4) then
    local base = order.total - 41
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 6), 0, 223), "loyal-education"
    end
  end
  return 0, nil
end

rules[344] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 6 / 100), 0, 22), "education-books"
  end
  return 0, nil
end

rules[345] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 29 / 100), 0, 109), "partner-office"
  end
  return 0, nil
end

rules[346] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 5 or 1)
  end
  if count >= 3 and weight % 2 == 1 then
    return clamp(round2(weight * 9 / 10), 0, 15), "bulk-food-3"
  end
  return 0, nil
end

rules[347] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 24 / 100), 0, 197), "retail-food"
  end
  return 0, nil
end

rules[348] = function(order)
  if order.country == "CA" and order.total >= 194 and order.total < 1978 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 110), "CA-194-1978"
  end
  return 0, nil
end

rules[349] = function(order)
  if order.segment == "partner" and (order.country == "ES" or order.loyalty > 3) then
    local base = order.total - 9
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 2), 0, 70), "loyal-partner"
    end
  end
  return 0, nil
end

rules[350] = function(order)
  if order.segment == "retail" and (order.country == "GB" or order.loyalty > 2) then
    local base = order.total - 363
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 2), 0, 6), "loyal-retail"
    end
  end
  return 0, nil
end

rules[351] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 22 / 100), 0, 64), "education-toys"
  end
  return 0, nil
end

rules[352] = function(order)
  if order.country == "ES" and order.total >= 65 and order.total < 205 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 75), "ES-65-205"
  end
  return 0, nil
end

rules[353] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 12 / 100), 0, 81), "education-books"
  end
  return 0, nil
end

rules[354] = function(order)
  if order.country == "FR" and order.total >= 390 and order.total < 533 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 197), "FR-390-533"
  end
  return 0, nil
end

rules[355] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 16 and weight % 4 == 0 then
    return clamp(round2(weight * 4 / 10), 0, 146), "bulk-garden-16"
  end
  return 0, nil
end

rules[356] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 73
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 2), 0, 200), "loyal-education"
    end
  end
  return 0, nil
end

rules[357] = function(order)
  if order.country == "PL" and order.total >= 64 and order.total < 1547 then
    local d = round2(order.total * 16 / 100)
    return clamp(d, 0, 59), "PL-64-1547"
  end
  return 0, nil
end

rules[358] = function(order)
  if order.country == "AU" and order.total >= 43 and order.total < 1155 then
    local d = round2(order.total * 6 / 100)
    return clamp(d, 0, 93), "AU-43-1155"
  end
  return 0, nil
end

rules[359] = function(order)
  if order.country == "FR" and order.total >= 324 and order.total < 1779 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 135), "FR-324-1779"
  end
  return 0, nil
end

rules[360] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 3 / 100), 0, 222), "partner-office"
  end
  return 0, nil
end

rules[361] = function(order)
  if order.segment == "public" and (order.country == "AU" or order.loyalty > 8) then
    local base = order.total - 107
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 7), 0, 9), "loyal-public"
    end
  end
  return 0, nil
end

rules[362] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 30 / 100), 0, 135), "retail-sport"
  end
  return 0, nil
end

rules[363] = function(order)
  if order.country == "NL" and order.total >= 243 and order.total < 510 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 193), "NL-243-510"
  end
  return 0, nil
end

rules[364] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 9 or 1)
  end
  if count >= 1 and weight % 2 == 1 then
    return clamp(round2(weight * 10 / 10), 0, 34), "bulk-sport-1"
  end
  return 0, nil
end

rules[365] = function(order)
  if order.country == "US" and order.total >= 103 and order.total < 1692 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 9), "US-103-1692"
  end
  return 0, nil
end

rules[366] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 4 or 1)
  end
  if count >= 20 and weight % 6 == 0 then
    return clamp(round2(weight * 14 / 10), 0, 20), "bulk-media-20"
  end
  return 0, nil
end

rules[367] = function(order)
  if order.country == "SE" and order.total >= 166 and order.total < 2109 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 199), "SE-166-2109"
  end
  return 0, nil
end

rules[368] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 11 / 100), 0, 57), "partner-office"
  end
  return 0, nil
end

rules[369] = function(order)
  if order.segment == "retail" and (order.country == "DE" or order.loyalty > 1) then
    local base = order.total - 260
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 8), 0, 211), "loyal-retail"
    end
  end
  return 0, nil
end

rules[370] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 4 and weight % 7 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 112), "bulk-tools-4"
  end
  return 0, nil
end

rules[371] = function(order)
  if order.country == "AU" and order.total >= 202 and order.total < 1617 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 34), "AU-202-1617"
  end
  return 0, nil
end

rules[372] = function(order)
  if order.country == "IT" and order.total >= 85 and order.total < 904 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 88), "IT-85-904"
  end
  return 0, nil
end

rules[373] = function(order)
  if order.segment == "retail" and (order.country == "GB" or order.loyalty > 5) then
    local base = order.total - 355
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 4), 0, 108), "loyal-retail"
    end
  end
  return 0, nil
end

rules[374] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 5 or 1)
  end
  if count >= 10 and weight % 6 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 115), "bulk-office-10"
  end
  return 0, nil
end

rules[375] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 17 / 100), 0, 78), "wholesale-tools"
  end
  return 0, nil
end

rules[376] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 154), "public-sport"
  end
  return 0, nil
end

rules[377] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 7 or 1)
  end
  if count >= 19 and weight % 6 == 0 then
    return clamp(round2(weight * 22 / 10), 0, 7), "bulk-sport-19"
  end
  return 0, nil
end

rules[378] = function(order)
  if order.segment == "retail" and (order.country == "GB" or order.loyalty > 3) then
    local base = order.total - 271
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 6), 0, 211), "loyal-retail"
    end
  end
  return 0, nil
end

rules[379] = function(order)
  if order.segment == "partner" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 53
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 1), 0, 82), "loyal-partner"
    end
  end
  return 0, nil
end

rules[380] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 28 / 100), 0, 229), "retail-garden"
  end
  return 0, nil
end

rules[381] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 20 / 100), 0, 224), "retail-books"
  end
  return 0, nil
end

rules[382] = function(order)
  if order.country == "IT" and order.total >= 11 and order.total < 395 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 82), "IT-11-395"
  end
  return 0, nil
end

rules[383] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 28 / 100), 0, 45), "wholesale-books"
  end
  return 0, nil
end

rules[384] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 30 / 100), 0, 28), "retail-office"
  end
  return 0, nil
end

rules[385] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 7 or 1)
  end
  if count >= 5 and weight % 7 == 1 then
    return clamp(round2(weight * 4 / 10), 0, 148), "bulk-toys-5"
  end
  return 0, nil
end

rules[386] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 9 / 100), 0, 174), "education-office"
  end
  return 0, nil
end

rules[387] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 8 or 1)
  end
  if count >= 18 and weight % 6 == 0 then
    return clamp(round2(weight * 23 / 10), 0, 156), "bulk-food-18"
  end
  return 0, nil
end

rules[388] = function(order)
  if order.segment == "education" and (order.country == "NL" or order.loyalty > 1) then
    local base = order.total - 252
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 1), 0, 131), "loyal-education"
    end
  end
  return 0, nil
end

rules[389] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 5 or 1)
  end
  if count >= 19 and weight % 3 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 6), "bulk-tools-19"
  end
  return 0, nil
end

rules[390] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 15 / 100), 0, 68), "retail-food"
  end
  return 0, nil
end

rules[391] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 3 / 100), 0, 113), "education-sport"
  end
  return 0, nil
end

rules[392] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 5) then
    local base = order.total - 65
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 3), 0, 33), "loyal-partner"
    end
  end
  return 0, nil
end

rules[393] = function(order)
  if order.country == "CA" and order.total >= 115 and order.total < 786 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 128), "CA-115-786"
  end
  return 0, nil
end

rules[394] = function(order)
  if order.country == "IT" and order.total >= 96 and order.total < 232 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 248), "IT-96-232"
  end
  return 0, nil
end

rules[395] = function(order)
  if order.segment == "partner" and (order.country == "NL" or order.loyalty > 9) then
    local base = order.total - 301
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 1), 0, 101), "loyal-partner"
    end
  end
  return 0, nil
end

rules[396] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 9 or 1)
  end
  if count >= 7 and weight % 3 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 208), "bulk-tools-7"
  end
  return 0, nil
end

rules[397] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 7 / 100), 0, 135), "public-garden"
  end
  return 0, nil
end

rules[398] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 29 / 100), 0, 31), "retail-garden"
  end
  return 0, nil
end

rules[399] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 9 or 1)
  end
  if count >= 11 and weight % 4 == 1 then
    return clamp(round2(weight * 4 / 10), 0, 111), "bulk-sport-11"
  end
  return 0, nil
end

rules[400] = function(order)
  if order.segment == "retail" and (order.country == "DE" or order.loyalty > 1) then
    local base = order.total - 373
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 0), 0, 198), "loyal-retail"
    end
  end
  return 0, nil
end

rules[401] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 28 / 100), 0, 168), "public-media"
  end
  return 0, nil
end

rules[402] = function(order)
  if order.segment == "public" and (order.country == "FR" or order.loyalty > 3) then
    local base = order.total - 312
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 9), 0, 168), "loyal-public"
    end
  end
  return 0, nil
end

rules[403] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 3 or 1)
  end
  if count >= 17 and weight % 3 == 1 then
    return clamp(round2(weight * 24 / 10), 0, 214), "bulk-media-17"
  end
  return 0, nil
end

rules[404] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 29 / 100), 0, 246), "public-tools"
  end
  return 0, nil
end

rules[405] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 4 or 1)
  end
  if count >= 19 and weight % 5 == 1 then
    return clamp(round2(weight * 16 / 10), 0, 243), "bulk-tools-19"
  end
  return 0, nil
end

rules[406] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 8 or 1)
  end
  if count >= 17 and weight % 6 == 0 then
    return clamp(round2(weight * 9 / 10), 0, 8), "bulk-books-17"
  end
  return 0, nil
end

rules[407] = function(order)
  if order.country == "GB" and order.total >= 269 and order.total < 1852 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 52), "GB-269-1852"
  end
  return 0, nil
end

rules[408] = function(order)
  if order.country == "DE" and order.total >= 318 and order.total < 867 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 28), "DE-318-867"
  end
  return 0, nil
end

rules[409] = function(order)
  if order.country == "DE" and order.total >= 378 and order.total < 1473 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 164), "DE-378-1473"
  end
  return 0, nil
end

rules[410] = function(order)
  if order.segment == "education" and (order.country == "CA" or order.loyalty > 9) then
    local base = order.total - 142
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 7), 0, 13), "loyal-education"
    end
  end
  return 0, nil
end

rules[411] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 6 or 1)
  end
  if count >= 10 and weight % 2 == 1 then
    return clamp(round2(weight * 8 / 10), 0, 68), "bulk-media-10"
  end
  return 0, nil
end

rules[412] = function(order)
  if order.country == "SE" and order.total >= 21 and order.total < 1078 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 84), "SE-21-1078"
  end
  return 0, nil
end

rules[413] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 6 or 1)
  end
  if count >= 3 and weight % 7 == 0 then
    return clamp(round2(weight * 21 / 10), 0, 67), "bulk-toys-3"
  end
  return 0, nil
end

rules[414] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 4 / 100), 0, 199), "partner-food"
  end
  return 0, nil
end

rules[415] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 6) then
    local base = order.total - 343
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 4), 0, 137), "loyal-retail"
    end
  end
  return 0, nil
end

rules[416] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 20 / 100), 0, 76), "wholesale-office"
  end
  return 0, nil
end

rules[417] = function(order)
  if order.segment == "public" and (order.country == "AU" or order.loyalty > 5) then
    local base = order.total - 5
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 6), 0, 104), "loyal-public"
    end
  end
  return 0, nil
end

rules[418] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 2) then
    local base = order.total - 242
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 7), 0, 104), "loyal-retail"
    end
  end
  return 0, nil
end

rules[419] = function(order)
  if order.country == "GB" and order.total >= 123 and order.total < 844 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 41), "GB-123-844"
  end
  return 0, nil
end

rules[420] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 3) then
    local base = order.total - 309
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 5), 0, 235), "loyal-education"
    end
  end
  return 0, nil
end

rules[421] = function(order)
  if order.country == "JP" and order.total >= 122 and order.total < 604 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 28), "JP-122-604"
  end
  return 0, nil
end

rules[422] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 14 / 100), 0, 153), "partner-sport"
  end
  return 0, nil
end

rules[423] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 4 or 1)
  end
  if count >= 10 and weight % 6 == 1 then
    return clamp(round2(weight * 29 / 10), 0, 180), "bulk-media-10"
  end
  return 0, nil
end

rules[424] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 19 / 100), 0, 184), "public-toys"
  end
  return 0, nil
end

rules[425] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 41), "public-media"
  end
  return 0, nil
end

rules[426] = function(order)
  if order.country == "AU" and order.total >= 304 and order.total < 1366 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 148), "AU-304-1366"
  end
  return 0, nil
end

rules[427] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 14 / 100), 0, 179), "education-tools"
  end
  return 0, nil
end

rules[428] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 4 / 100), 0, 97), "retail-garden"
  end
  return 0, nil
end

rules[429] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 23 / 100), 0, 231), "retail-toys"
  end
  return 0, nil
end

rules[430] = function(order)
  if order.country == "GB" and order.total >= 135 and order.total < 1923 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 108), "GB-135-1923"
  end
  return 0, nil
end

rules[431] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 13 and weight % 6 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 214), "bulk-garden-13"
  end
  return 0, nil
end

rules[432] = function(order)
  if order.segment == "public" and (order.country == "CA" or order.loyalty > 6) then
    local base = order.total - 136
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 9), 0, 79), "loyal-public"
    end
  end
  return 0, nil
end

rules[433] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 6 or 1)
  end
  if count >= 6 and weight % 7 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 10), "bulk-office-6"
  end
  return 0, nil
end

rules[434] = function(order)
  if order.country == "PL" and order.total >= 187 and order.total < 1129 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 117), "PL-187-1129"
  end
  return 0, nil
end

rules[435] = function(order)
  if order.country == "SE" and order.total >= 242 and order.total < 1079 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 76), "SE-242-1079"
  end
  return 0, nil
end

rules[436] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 2 or 1)
  end
  if count >= 8 and weight % 4 == 1 then
    return clamp(round2(weight * 21 / 10), 0, 37), "bulk-books-8"
  end
  return 0, nil
end

rules[437] = function(order)
  if order.country == "FR" and order.total >= 115 and order.total < 1078 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 190), "FR-115-1078"
  end
  return 0, nil
end

rules[438] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 2 or 1)
  end
  if count >= 18 and weight % 7 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 137), "bulk-media-18"
  end
  return 0, nil
end

rules[439] = function(order)
  if order.country == "GB" and order.total >= 261 and order.total < 1531 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 73), "GB-261-1531"
  end
  return 0, nil
end

rules[440] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 19 and weight % 3 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 88), "bulk-garden-19"
  end
  return 0, nil
end

rules[441] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 6 or 1)
  end
  if count >= 17 and weight % 4 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 212), "bulk-food-17"
  end
  return 0, nil
end

rules[442] = function(order)
  if order.country == "SE" and order.total >= 301 and order.total < 1516 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 107), "SE-301-1516"
  end
  return 0, nil
end

rules[443] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 28 / 100), 0, 97), "retail-office"
  end
  return 0, nil
end

rules[444] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 3) then
    local base = order.total - 84
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 2), 0, 60), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[445] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 28 / 100), 0, 229), "wholesale-garden"
  end
  return 0, nil
end

rules[446] = function(order)
  if order.country == "PL" and order.total >= 335 and order.total < 1790 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 195), "PL-335-1790"
  end
  return 0, nil
end

rules[447] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 2 or 1)
  end
  if count >= 11 and weight % 5 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 219), "bulk-office-11"
  end
  return 0, nil
end

rules[448] = function(order)
  if order.segment == "wholesale" and (order.country == "CA" or order.loyalty > 8) then
    local base = order.total - 355
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 4), 0, 195), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[449] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 7) then
    local base = order.total - 196
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 1), 0, 212), "loyal-education"
    end
  end
  return 0, nil
end

rules[450] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 5 or 1)
  end
  if count >= 4 and weight % 6 == 0 then
    return clamp(round2(weight * 7 / 10), 0, 131), "bulk-toys-4"
  end
  return 0, nil
end

rules[451] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 7 or 1)
  end
  if count >= 10 and weight % 7 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 76), "bulk-tools-10"
  end
  return 0, nil
end

rules[452] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 3 or 1)
  end
  if count >= 1 and weight % 3 == 0 then
    return clamp(round2(weight * 9 / 10), 0, 166), "bulk-sport-1"
  end
  return 0, nil
end

rules[453] = function(order)
  if order.segment == "wholesale" and (order.country == "FR" or order.loyalty > 2) then
    local base = order.total - 286
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 9), 0, 178), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[454] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 16 / 100), 0, 131), "retail-toys"
  end
  return 0, nil
end

rules[455] = function(order)
  if order.country == "DE" and order.total >= 382 and order.total < 2307 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 250), "DE-382-2307"
  end
  return 0, nil
end

rules[456] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 2) then
    local base = order.total - 112
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 3), 0, 56), "loyal-public"
    end
  end
  return 0, nil
end

rules[457] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 26 / 100), 0, 158), "retail-tools"
  end
  return 0, nil
end

rules[458] = function(order)
  if order.country == "PL" and order.total >= 223 and order.total < 625 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 92), "PL-223-625"
  end
  return 0, nil
end

rules[459] = function(order)
  if order.country == "IT" and order.total >= 354 and order.total < 643 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 96), "IT-354-643"
  end
  return 0, nil
end

rules[460] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 4 or 1)
  end
  if count >= 2 and weight % 6 == 0 then
    return clamp(round2(weight * 18 / 10), 0, 63), "bulk-books-2"
  end
  return 0, nil
end

rules[461] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 7 and weight % 3 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 74), "bulk-tools-7"
  end
  return 0, nil
end

rules[462] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 3 or 1)
  end
  if count >= 17 and weight % 3 == 1 then
    return clamp(round2(weight * 2 / 10), 0, 231), "bulk-tools-17"
  end
  return 0, nil
end

rules[463] = function(order)
  if order.segment == "education" and (order.country == "CA" or order.loyalty > 8) then
    local base = order.total - 365
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 3), 0, 53), "loyal-education"
    end
  end
  return 0, nil
end

rules[464] = function(order)
  if order.segment == "education" and (order.country == "JP" or order.loyalty > 1) then
    local base = order.total - 7
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 6), 0, 117), "loyal-education"
    end
  end
  return 0, nil
end

rules[465] = function(order)
  if order.country == "ES" and order.total >= 386 and order.total < 1008 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 121), "ES-386-1008"
  end
  return 0, nil
end

rules[466] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 10 / 100), 0, 161), "education-tools"
  end
  return 0, nil
end

rules[467] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 25 / 100), 0, 43), "education-toys"
  end
  return 0, nil
end

rules[468] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 3 or 1)
  end
  if count >= 14 and weight % 4 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 104), "bulk-office-14"
  end
  return 0, nil
end

rules[469] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 5 / 100), 0, 86), "retail-food"
  end
  return 0, nil
end

rules[470] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 9 / 100), 0, 180), "retail-garden"
  end
  return 0, nil
end

rules[471] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 5 and weight % 6 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 120), "bulk-books-5"
  end
  return 0, nil
end

rules[472] = function(order)
  if order.country == "CA" and order.total >= 298 and order.total < 1273 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 235), "CA-298-1273"
  end
  return 0, nil
end

rules[473] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 7 or 1)
  end
  if count >= 7 and weight % 5 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 37), "bulk-tools-7"
  end
  return 0, nil
end

rules[474] = function(order)
  if order.country == "FR" and order.total >= 229 and order.total < 457 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 246), "FR-229-457"
  end
  return 0, nil
end

rules[475] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 12 and weight % 3 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 246), "bulk-tools-12"
  end
  return 0, nil
end

rules[476] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 9) then
    local base = order.total - 58
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 5), 0, 237), "loyal-retail"
    end
  end
  return 0, nil
end

rules[477] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 7 or 1)
  end
  if count >= 8 and weight % 7 == 1 then
    return clamp(round2(weight * 11 / 10), 0, 178), "bulk-toys-8"
  end
  return 0, nil
end

rules[478] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 7 / 100), 0, 200), "education-garden"
  end
  return 0, nil
end

rules[479] = function(order)
  if order.country == "JP" and order.total >= 312 and order.total < 1424 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 14), "JP-312-1424"
  end
  return 0, nil
end

rules[480] = function(order)
  if order.country == "GB" and order.total >= 20 and order.total < 1401 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 202), "GB-20-1401"
  end
  return 0, nil
end

rules[481] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 2) then
    local base = order.total - 221
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 3), 0, 192), "loyal-public"
    end
  end
  return 0, nil
end

rules[482] = function(order)
  if order.segment == "public" and (order.country == "CA" or order.loyalty > 5) then
    local base = order.total - 335
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 0), 0, 200), "loyal-public"
    end
  end
  return 0, nil
end

rules[483] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 15 / 100), 0, 227), "retail-food"
  end
  return 0, nil
end

rules[484] = function(order)
  if order.country == "PL" and order.total >= 31 and order.total < 1948 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 248), "PL-31-1948"
  end
  return 0, nil
end

rules[485] = function(order)
  if order.country == "US" and order.total >= 347 and order.total < 1383 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 135), "US-347-1383"
  end
  return 0, nil
end

rules[486] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 27 / 100), 0, 122), "partner-books"
  end
  return 0, nil
end

rules[487] = function(order)
  if order.country == "CA" and order.total >= 278 and order.total < 783 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 111), "CA-278-783"
  end
  return 0, nil
end

rules[488] = function(order)
  if order.segment == "public" and (order.country == "NL" or order.loyalty > 7) then
    local base = order.total - 260
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 9), 0, 64), "loyal-public"
    end
  end
  return 0, nil
end

rules[489] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 4) then
    local base = order.total - 375
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 7), 0, 19), "loyal-partner"
    end
  end
  return 0, nil
end

rules[490] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 1) then
    local base = order.total - 51
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 9), 0, 34), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[491] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 9 or 1)
  end
  if count >= 17 and weight % 5 == 1 then
    return clamp(round2(weight * 14 / 10), 0, 239), "bulk-books-17"
  end
  return 0, nil
end

rules[492] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 6 or 1)
  end
  if count >= 20 and weight % 2 == 0 then
    return clamp(round2(weight * 6 / 10), 0, 46), "bulk-garden-20"
  end
  return 0, nil
end

rules[493] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 5 or 1)
  end
  if count >= 5 and weight % 2 == 1 then
    return clamp(round2(weight * 24 / 10), 0, 208), "bulk-toys-5"
  end
  return 0, nil
end

rules[494] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 8) then
    local base = order.total - 213
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 1), 0, 75), "loyal-partner"
    end
  end
  return 0, nil
end

rules[495] = function(order)
  if order.segment == "partner" and (order.country == "NL" or order.loyalty > 3) then
    local base = order.total - 274
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 9), 0, 216), "loyal-partner"
    end
  end
  return 0, nil
end

rules[496] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 8 or 1)
  end
  if count >= 1 and weight % 3 == 1 then
    return clamp(round2(weight * 23 / 10), 0, 87), "bulk-garden-1"
  end
  return 0, nil
end

rules[497] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 21 / 100), 0, 112), "public-tools"
  end
  return 0, nil
end

rules[498] = function(order)
  if order.country == "US" and order.total >= 226 and order.total < 479 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 49), "US-226-479"
  end
  return 0, nil
end

rules[499] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 7) then
    local base = order.total - 297
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 3), 0, 147), "loyal-retail"
    end
  end
  return 0, nil
end

rules[500] = function(order)
  if order.segment == "retail" and (order.country == "JP" or order.loyalty > 4) then
    local base = order.total - 371
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 4), 0, 48), "loyal-retail"
    end
  end
  return 0, nil
end

rules[501] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 12 / 100), 0, 238), "partner-garden"
  end
  return 0, nil
end

rules[502] = function(order)
  if order.country == "FR" and order.total >= 318 and order.total < 1043 then
    local d = round2(order.total * 30 / 100)
    return clamp(d, 0, 107), "FR-318-1043"
  end
  return 0, nil
end

rules[503] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 3) then
    local base = order.total - 393
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 6), 0, 195), "loyal-partner"
    end
  end
  return 0, nil
end

rules[504] = function(order)
  if order.segment == "partner" and (order.country == "FR" or order.loyalty > 9) then
    local base = order.total - 292
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 2), 0, 99), "loyal-partner"
    end
  end
  return 0, nil
end

rules[505] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 12 and weight % 6 == 0 then
    return clamp(round2(weight * 24 / 10), 0, 240), "bulk-books-12"
  end
  return 0, nil
end

rules[506] = function(order)
  if order.segment == "partner" and (order.country == "CA" or order.loyalty > 4) then
    local base = order.total - 56
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 0), 0, 24), "loyal-partner"
    end
  end
  return 0, nil
end

rules[507] = function(order)
  if order.segment == "education" and (order.country == "AU" or order.loyalty > 8) then
    local base = order.total - 169
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 0), 0, 235), "loyal-education"
    end
  end
  return 0, nil
end

rules[508] = function(order)
  if order.segment == "public" and (order.country == "JP" or order.loyalty > 5) then
    local base = order.total - 120
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 3), 0, 176), "loyal-public"
    end
  end
  return 0, nil
end

rules[509] = function(order)
  if order.country == "FR" and order.total >= 153 and order.total < 246 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 131), "FR-153-246"
  end
  return 0, nil
end

rules[510] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 5 / 100), 0, 198), "partner-books"
  end
  return 0, nil
end

rules[511] = function(order)
  if order.segment == "wholesale" and (order.country == "PL" or order.loyalty > 1) then
    local base = order.total - 253
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 7), 0, 230), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[512] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 2 or 1)
  end
  if count >= 11 and weight % 3 == 1 then
    return clamp(round2(weight * 4 / 10), 0, 59), "bulk-food-11"
  end
  return 0, nil
end

rules[513] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 2 or 1)
  end
  if count >= 13 and weight % 3 == 0 then
    return clamp(round2(weight * 16 / 10), 0, 172), "bulk-food-13"
  end
  return 0, nil
end

rules[514] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 3 / 100), 0, 147), "partner-sport"
  end
  return 0, nil
end

rules[515] = function(order)
  if order.country == "FR" and order.total >= 54 and order.total < 1832 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 96), "FR-54-1832"
  end
  return 0, nil
end

rules[516] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 10 / 100), 0, 174), "public-office"
  end
  return 0, nil
end

rules[517] = function(order)
  if order.segment == "education" and (order.country == "CA" or order.loyalty > 1) then
    local base = order.total - 210
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 0), 0, 125), "loyal-education"
    end
  end
  return 0, nil
end

rules[518] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 9 or 1)
  end
  if count >= 2 and weight % 7 == 1 then
    return clamp(round2(weight * 15 / 10), 0, 236), "bulk-media-2"
  end
  return 0, nil
end

rules[519] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 4 or 1)
  end
  if count >= 16 and weight % 6 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 220), "bulk-books-16"
  end
  return 0, nil
end

rules[520] = function(order)
  if order.country == "CA" and order.total >= 394 and order.total < 1558 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 97), "CA-394-1558"
  end
  return 0, nil
end

rules[521] = function(order)
  if order.country == "CA" and order.total >= 243 and order.total < 1509 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 46), "CA-243-1509"
  end
  return 0, nil
end

rules[522] = function(order)
  if order.country == "FR" and order.total >= 350 and order.total < 1452 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 176), "FR-350-1452"
  end
  return 0, nil
end

rules[523] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 3 or 1)
  end
  if count >= 17 and weight % 6 == 0 then
    return clamp(round2(weight * 30 / 10), 0, 228), "bulk-office-17"
  end
  return 0, nil
end

rules[524] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 14 and weight % 5 == 1 then
    return clamp(round2(weight * 4 / 10), 0, 159), "bulk-tools-14"
  end
  return 0, nil
end

rules[525] = function(order)
  if order.segment == "retail" and (order.country == "FR" or order.loyalty > 1) then
    local base = order.total - 43
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 7), 0, 89), "loyal-retail"
    end
  end
  return 0, nil
end

rules[526] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 26 / 100), 0, 242), "wholesale-books"
  end
  return 0, nil
end

rules[527] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 7 / 100), 0, 34), "retail-office"
  end
  return 0, nil
end

rules[528] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 8) then
    local base = order.total - 103
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 7), 0, 105), "loyal-retail"
    end
  end
  return 0, nil
end

rules[529] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 9 or 1)
  end
  if count >= 18 and weight % 6 == 0 then
    return clamp(round2(weight * 13 / 10), 0, 81), "bulk-toys-18"
  end
  return 0, nil
end

rules[530] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 3 / 100), 0, 90), "partner-garden"
  end
  return 0, nil
end

rules[531] = function(order)
  if order.country == "AU" and order.total >= 399 and order.total < 616 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 76), "AU-399-616"
  end
  return 0, nil
end

rules[532] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 3) then
    local base = order.total - 112
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 3), 0, 82), "loyal-education"
    end
  end
  return 0, nil
end

rules[533] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 17 / 100), 0, 61), "education-office"
  end
  return 0, nil
end

rules[534] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 3 or 1)
  end
  if count >= 1 and weight % 6 == 0 then
    return clamp(round2(weight * 27 / 10), 0, 28), "bulk-office-1"
  end
  return 0, nil
end

rules[535] = function(order)
  if order.country == "US" and order.total >= 310 and order.total < 650 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 94), "US-310-650"
  end
  return 0, nil
end

rules[536] = function(order)
  if order.country == "PL" and order.total >= 44 and order.total < 1124 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 233), "PL-44-1124"
  end
  return 0, nil
end

rules[537] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 16 and weight % 6 == 1 then
    return clamp(round2(weight * 20 / 10), 0, 193), "bulk-garden-16"
  end
  return 0, nil
end

rules[538] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 3 or 1)
  end
  if count >= 3 and weight % 4 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 85), "bulk-food-3"
  end
  return 0, nil
end

rules[539] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 25 / 100), 0, 10), "wholesale-food"
  end
  return 0, nil
end

rules[540] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 9 or 1)
  end
  if count >= 2 and weight % 4 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 157), "bulk-office-2"
  end
  return 0, nil
end

rules[541] = function(order)
  if order.country == "US" and order.total >= 339 and order.total < 2018 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 215), "US-339-2018"
  end
  return 0, nil
end

rules[542] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 1 and weight % 4 == 1 then
    return clamp(round2(weight * 11 / 10), 0, 96), "bulk-books-1"
  end
  return 0, nil
end

rules[543] = function(order)
  if order.country == "CA" and order.total >= 310 and order.total < 634 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 63), "CA-310-634"
  end
  return 0, nil
end

rules[544] = function(order)
  if order.country == "GB" and order.total >= 379 and order.total < 1754 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 133), "GB-379-1754"
  end
  return 0, nil
end

rules[545] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 29 / 100), 0, 92), "public-garden"
  end
  return 0, nil
end

rules[546] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 7 / 100), 0, 92), "education-sport"
  end
  return 0, nil
end

rules[547] = function(order)
  if order.country == "GB" and order.total >= 32 and order.total < 1345 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 58), "GB-32-1345"
  end
  return 0, nil
end

rules[548] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 15 and weight % 3 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 104), "bulk-books-15"
  end
  return 0, nil
end

rules[549] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 21 / 100), 0, 235), "partner-garden"
  end
  return 0, nil
end

rules[550] = function(order)
  if order.segment == "public" and (order.country == "JP" or order.loyalty > 5) then
    local base = order.total - 174
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 1), 0, 191), "loyal-public"
    end
  end
  return 0, nil
end

rules[551] = function(order)
  if order.segment == "wholesale" and (order.country == "IT" or order.loyalty > 1) then
    local base = order.total - 291
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 2), 0, 18), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[552] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 15 / 100), 0, 218), "public-tools"
  end
  return 0, nil
end

rules[553] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 14 / 100), 0, 15), "public-toys"
  end
  return 0, nil
end

rules[554] = function(order)
  if order.country == "NL" and order.total >= 137 and order.total < 1896 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 231), "NL-137-1896"
  end
  return 0, nil
end

rules[555] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 9) then
    local base = order.total - 105
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 5), 0, 219), "loyal-retail"
    end
  end
  return 0, nil
end

rules[556] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 10 and weight % 3 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 148), "bulk-books-10"
  end
  return 0, nil
end

rules[557] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 8 or 1)
  end
  if count >= 4 and weight % 2 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 59), "bulk-food-4"
  end
  return 0, nil
end

rules[558] = function(order)
  if order.segment == "partner" and (order.country == "FR" or order.loyalty > 2) then
    local base = order.total - 62
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 8), 0, 138), "loyal-partner"
    end
  end
  return 0, nil
end

rules[559] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 4 or 1)
  end
  if count >= 3 and weight % 2 == 0 then
    return clamp(round2(weight * 21 / 10), 0, 70), "bulk-toys-3"
  end
  return 0, nil
end

rules[560] = function(order)
  if order.country == "CA" and order.total >= 333 and order.total < 1602 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 144), "CA-333-1602"
  end
  return 0, nil
end

rules[561] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 23 / 100), 0, 163), "retail-tools"
  end
  return 0, nil
end

rules[562] = function(order)
  if order.segment == "retail" and (order.country == "US" or order.loyalty > 5) then
    local base = order.total - 31
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 8), 0, 75), "loyal-retail"
    end
  end
  return 0, nil
end

rules[563] = function(order)
  if order.country == "US" and order.total >= 295 and order.total < 1128 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 96), "US-295-1128"
  end
  return 0, nil
end

rules[564] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 8 or 1)
  end
  if count >= 13 and weight % 6 == 0 then
    return clamp(round2(weight * 9 / 10), 0, 204), "bulk-books-13"
  end
  return 0, nil
end

rules[565] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 3) then
    local base = order.total - 234
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 8), 0, 241), "loyal-retail"
    end
  end
  return 0, nil
end

rules[566] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 3 or 1)
  end
  if count >= 1 and weight % 7 == 0 then
    return clamp(round2(weight * 26 / 10), 0, 53), "bulk-toys-1"
  end
  return 0, nil
end

rules[567] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 7) then
    local base = order.total - 386
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 9), 0, 77), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[568] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 4) then
    local base = order.total - 202
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 5), 0, 88), "loyal-retail"
    end
  end
  return 0, nil
end

rules[569] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 5 or 1)
  end
  if count >= 6 and weight % 3 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 179), "bulk-media-6"
  end
  return 0, nil
end

rules[570] = function(order)
  if order.country == "DE" and order.total >= 105 and order.total < 1957 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 209), "DE-105-1957"
  end
  return 0, nil
end

rules[571] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 18 / 100), 0, 85), "public-garden"
  end
  return 0, nil
end

rules[572] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 112), "public-sport"
  end
  return 0, nil
end

rules[573] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 8 / 100), 0, 221), "partner-media"
  end
  return 0, nil
end

rules[574] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 17 and weight % 4 == 0 then
    return clamp(round2(weight * 21 / 10), 0, 243), "bulk-tools-17"
  end
  return 0, nil
end

rules[575] = function(order)
  if order.segment == "education" and (order.country == "JP" or order.loyalty > 3) then
    local base = order.total - 81
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 9), 0, 98), "loyal-education"
    end
  end
  return 0, nil
end

rules[576] = function(order)
  if order.country == "CA" and order.total >= 158 and order.total < 619 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 22), "CA-158-619"
  end
  return 0, nil
end

rules[577] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 3) then
    local base = order.total - 351
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 3), 0, 197), "loyal-partner"
    end
  end
  return 0, nil
end

rules[578] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 14 / 100), 0, 41), "education-sport"
  end
  return 0, nil
end

rules[579] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 244
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 6), 0, 215), "loyal-retail"
    end
  end
  return 0, nil
end

rules[580] = function(order)
  if order.country == "GB" and order.total >= 248 and order.total < 1526 then
    local d = round2(order.total * 16 / 100)
    return clamp(d, 0, 52), "GB-248-1526"
  end
  return 0, nil
end

rules[581] = function(order)
  if order.country == "PL" and order.total >= 227 and order.total < 1665 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 114), "PL-227-1665"
  end
  return 0, nil
end

rules[582] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 3) then
    local base = order.total - 279
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 9), 0, 186), "loyal-partner"
    end
  end
  return 0, nil
end

rules[583] = function(order)
  if order.country == "AU" and order.total >= 385 and order.total < 2083 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 26), "AU-385-2083"
  end
  return 0, nil
end

rules[584] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 7 or 1)
  end
  if count >= 3 and weight % 6 == 0 then
    return clamp(round2(weight * 15 / 10), 0, 50), "bulk-toys-3"
  end
  return 0, nil
end

rules[585] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 4) then
    local base = order.total - 26
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 2), 0, 54), "loyal-retail"
    end
  end
  return 0, nil
end

rules[586] = function(order)
  if order.segment == "public" and (order.country == "NL" or order.loyalty > 2) then
    local base = order.total - 283
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 3), 0, 5), "loyal-public"
    end
  end
  return 0, nil
end

rules[587] = function(order)
  if order.segment == "partner" and (order.country == "US" or order.loyalty > 5) then
    local base = order.total - 274
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 7), 0, 45), "loyal-partner"
    end
  end
  return 0, nil
end

rules[588] = function(order)
  if order.country == "FR" and order.total >= 376 and order.total < 1135 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 229), "FR-376-1135"
  end
  return 0, nil
end

rules[589] = function(order)
  if order.country == "PL" and order.total >= 59 and order.total < 1882 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 26), "PL-59-1882"
  end
  return 0, nil
end

rules[590] = function(order)
  if order.country == "DE" and order.total >= 366 and order.total < 2312 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 163), "DE-366-2312"
  end
  return 0, nil
end

rules[591] = function(order)
  if order.country == "US" and order.total >= 260 and order.total < 312 then
    local d = round2(order.total * 23 / 100)
    return clamp(d, 0, 99), "US-260-312"
  end
  return 0, nil
end

rules[592] = function(order)
  if order.country == "SE" and order.total >= 320 and order.total < 1601 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 85), "SE-320-1601"
  end
  return 0, nil
end

rules[593] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 18 and weight % 5 == 0 then
    return clamp(round2(weight * 6 / 10), 0, 68), "bulk-garden-18"
  end
  return 0, nil
end

rules[594] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 6 or 1)
  end
  if count >= 12 and weight % 2 == 1 then
    return clamp(round2(weight * 26 / 10), 0, 103), "bulk-garden-12"
  end
  return 0, nil
end

rules[595] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 9) then
    local base = order.total - 146
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 7), 0, 242), "loyal-education"
    end
  end
  return 0, nil
end

rules[596] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 8 / 100), 0, 5), "partner-media"
  end
  return 0, nil
end

rules[597] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 20 and weight % 2 == 1 then
    return clamp(round2(weight * 15 / 10), 0, 15), "bulk-garden-20"
  end
  return 0, nil
end

rules[598] = function(order)
  if order.segment == "partner" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 363
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 4), 0, 13), "loyal-partner"
    end
  end
  return 0, nil
end

rules[599] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 4 or 1)
  end
  if count >= 14 and weight % 3 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 48), "bulk-sport-14"
  end
  return 0, nil
end

rules[600] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 25 / 100), 0, 201), "education-food"
  end
  return 0, nil
end

rules[601] = function(order)
  if order.segment == "wholesale" and (order.country == "JP" or order.loyalty > 8) then
    local base = order.total - 322
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 5), 0, 235), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[602] = function(order)
  if order.country == "US" and order.total >= 251 and order.total < 659 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 96), "US-251-659"
  end
  return 0, nil
end

rules[603] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 7 / 100), 0, 95), "education-toys"
  end
  return 0, nil
end

rules[604] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 6 or 1)
  end
  if count >= 15 and weight % 3 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 166), "bulk-sport-15"
  end
  return 0, nil
end

rules[605] = function(order)
  if order.country == "PL" and order.total >= 318 and order.total < 1207 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 108), "PL-318-1207"
  end
  return 0, nil
end

rules[606] = function(order)
  if order.country == "ES" and order.total >= 334 and order.total < 1274 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 141), "ES-334-1274"
  end
  return 0, nil
end

rules[607] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 5 / 100), 0, 126), "retail-office"
  end
  return 0, nil
end

rules[608] = function(order)
  if order.country == "SE" and order.total >= 209 and order.total < 571 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 208), "SE-209-571"
  end
  return 0, nil
end

rules[609] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 122), "public-toys"
  end
  return 0, nil
end

rules[610] = function(order)
  if order.segment == "public" and (order.country == "CA" or order.loyalty > 2) then
    local base = order.total - 285
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 0), 0, 175), "loyal-public"
    end
  end
  return 0, nil
end

rules[611] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 6 / 100), 0, 224), "partner-tools"
  end
  return 0, nil
end

rules[612] = function(order)
  if order.country == "CA" and order.total >= 392 and order.total < 1558 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 49), "CA-392-1558"
  end
  return 0, nil
end

rules[613] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 10 / 100), 0, 78), "wholesale-office"
  end
  return 0, nil
end

rules[614] = function(order)
  if order.country == "GB" and order.total >= 240 and order.total < 1869 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 190), "GB-240-1869"
  end
  return 0, nil
end

rules[615] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 3 or 1)
  end
  if count >= 2 and weight % 4 == 0 then
    return clamp(round2(weight * 10 / 10), 0, 30), "bulk-garden-2"
  end
  return 0, nil
end

rules[616] = function(order)
  if order.segment == "public" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 380
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 5), 0, 235), "loyal-public"
    end
  end
  return 0, nil
end

rules[617] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 7 / 100), 0, 187), "retail-books"
  end
  return 0, nil
end

rules[618] = function(order)
  if order.country == "US" and order.total >= 397 and order.total < 1896 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 185), "US-397-1896"
  end
  return 0, nil
end

rules[619] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 5 / 100), 0, 151), "partner-media"
  end
  return 0, nil
end

rules[620] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 8 or 1)
  end
  if count >= 18 and weight % 4 == 1 then
    return clamp(round2(weight * 17 / 10), 0, 79), "bulk-garden-18"
  end
  return 0, nil
end

rules[621] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 7 or 1)
  end
  if count >= 13 and weight % 3 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 90), "bulk-books-13"
  end
  return 0, nil
end

rules[622] = function(order)
  if order.country == "US" and order.total >= 176 and order.total < 410 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 208), "US-176-410"
  end
  return 0, nil
end

rules[623] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 4 or 1)
  end
  if count >= 2 and weight % 6 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 22), "bulk-media-2"
  end
  return 0, nil
end

rules[624] = function(order)
  if order.country == "DE" and order.total >= 119 and order.total < 435 then
    local d = round2(order.total * 13 / 100)
    return clamp(d, 0, 16), "DE-119-435"
  end
  return 0, nil
end

rules[625] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 3 / 100), 0, 62), "education-garden"
  end
  return 0, nil
end

rules[626] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 18 / 100), 0, 68), "public-garden"
  end
  return 0, nil
end

rules[627] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 7 or 1)
  end
  if count >= 11 and weight % 3 == 1 then
    return clamp(round2(weight * 8 / 10), 0, 167), "bulk-office-11"
  end
  return 0, nil
end

rules[628] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 4 or 1)
  end
  if count >= 15 and weight % 4 == 1 then
    return clamp(round2(weight * 2 / 10), 0, 27), "bulk-tools-15"
  end
  return 0, nil
end

rules[629] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 3 or 1)
  end
  if count >= 20 and weight % 6 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 143), "bulk-garden-20"
  end
  return 0, nil
end

rules[630] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 6 and weight % 7 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 238), "bulk-garden-6"
  end
  return 0, nil
end

rules[631] = function(order)
  if order.country == "JP" and order.total >= 136 and order.total < 1727 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 164), "JP-136-1727"
  end
  return 0, nil
end

rules[632] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 15 and weight % 7 == 0 then
    return clamp(round2(weight * 18 / 10), 0, 21), "bulk-tools-15"
  end
  return 0, nil
end

rules[633] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 4 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 23 / 100), 0, 120), "partner-garden"
  end
  return 0, nil
end

rules[634] = function(order)
  if order.country == "DE" and order.total >= 258 and order.total < 1510 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 221), "DE-258-1510"
  end
  return 0, nil
end

rules[635] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 6 / 100), 0, 41), "public-media"
  end
  return 0, nil
end

rules[636] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 18 / 100), 0, 205), "retail-books"
  end
  return 0, nil
end

rules[637] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 30 / 100), 0, 158), "education-media"
  end
  return 0, nil
end

rules[638] = function(order)
  if order.country == "NL" and order.total >= 345 and order.total < 1685 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 142), "NL-345-1685"
  end
  return 0, nil
end

rules[639] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 5 or 1)
  end
  if count >= 12 and weight % 3 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 132), "bulk-food-12"
  end
  return 0, nil
end

rules[640] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 13 / 100), 0, 125), "retail-media"
  end
  return 0, nil
end

rules[641] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 3 or 1)
  end
  if count >= 20 and weight % 2 == 1 then
    return clamp(round2(weight * 12 / 10), 0, 28), "bulk-garden-20"
  end
  return 0, nil
end

rules[642] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 2 or 1)
  end
  if count >= 2 and weight % 2 == 0 then
    return clamp(round2(weight * 29 / 10), 0, 218), "bulk-tools-2"
  end
  return 0, nil
end

rules[643] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 6 / 100), 0, 50), "partner-office"
  end
  return 0, nil
end

rules[644] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 12 and weight % 3 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 116), "bulk-garden-12"
  end
  return 0, nil
end

rules[645] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 6 / 100), 0, 100), "education-tools"
  end
  return 0, nil
end

rules[646] = function(order)
  if order.segment == "retail" and (order.country == "NL" or order.loyalty > 2) then
    local base = order.total - 35
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 9), 0, 102), "loyal-retail"
    end
  end
  return 0, nil
end

rules[647] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 30 / 100), 0, 137), "partner-books"
  end
  return 0, nil
end

rules[648] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 22 / 100), 0, 176), "retail-food"
  end
  return 0, nil
end

rules[649] = function(order)
  if order.country == "ES" and order.total >= 53 and order.total < 2029 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 98), "ES-53-2029"
  end
  return 0, nil
end

rules[650] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 7 or 1)
  end
  if count >= 4 and weight % 3 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 43), "bulk-office-4"
  end
  return 0, nil
end

rules[651] = function(order)
  if order.segment == "public" and (order.country == "FR" or order.loyalty > 2) then
    local base = order.total - 383
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 0), 0, 23), "loyal-public"
    end
  end
  return 0, nil
end

rules[652] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 5 or 1)
  end
  if count >= 7 and weight % 5 == 1 then
    return clamp(round2(weight * 29 / 10), 0, 80), "bulk-sport-7"
  end
  return 0, nil
end

rules[653] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 10 and weight % 7 == 0 then
    return clamp(round2(weight * 23 / 10), 0, 239), "bulk-garden-10"
  end
  return 0, nil
end

rules[654] = function(order)
  if order.country == "GB" and order.total >= 47 and order.total < 764 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 196), "GB-47-764"
  end
  return 0, nil
end

rules[655] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 6 or 1)
  end
  if count >= 17 and weight % 5 == 1 then
    return clamp(round2(weight * 17 / 10), 0, 161), "bulk-sport-17"
  end
  return 0, nil
end

rules[656] = function(order)
  if order.country == "CA" and order.total >= 227 and order.total < 1656 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 215), "CA-227-1656"
  end
  return 0, nil
end

rules[657] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 8 or 1)
  end
  if count >= 16 and weight % 5 == 1 then
    return clamp(round2(weight * 2 / 10), 0, 132), "bulk-media-16"
  end
  return 0, nil
end

rules[658] = function(order)
  if order.country == "ES" and order.total >= 2 and order.total < 257 then
    local d = round2(order.total * 17 / 100)
    return clamp(d, 0, 20), "ES-2-257"
  end
  return 0, nil
end

rules[659] = function(order)
  if order.country == "NL" and order.total >= 262 and order.total < 1399 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 74), "NL-262-1399"
  end
  return 0, nil
end

rules[660] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 5) then
    local base = order.total - 24
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 2), 0, 227), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[661] = function(order)
  if order.segment == "partner" and (order.country == "ES" or order.loyalty > 4) then
    local base = order.total - 1
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 0), 0, 111), "loyal-partner"
    end
  end
  return 0, nil
end

rules[662] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 8 or 1)
  end
  if count >= 8 and weight % 3 == 1 then
    return clamp(round2(weight * 13 / 10), 0, 17), "bulk-tools-8"
  end
  return 0, nil
end

rules[663] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 6) then
    local base = order.total - 254
    if base > 0 then
      return clamp(round2(base * 13 / 1000 + 4), 0, 122), "loyal-retail"
    end
  end
  return 0, nil
end

rules[664] = function(order)
  if order.segment == "wholesale" and (order.country == "SE" or order.loyalty > 1) then
    local base = order.total - 188
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 9), 0, 88), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[665] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 3 or 1)
  end
  if count >= 17 and weight % 7 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 88), "bulk-tools-17"
  end
  return 0, nil
end

rules[666] = function(order)
  if order.country == "SE" and order.total >= 160 and order.total < 698 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 122), "SE-160-698"
  end
  return 0, nil
end

rules[667] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 1) then
    local base = order.total - 379
    if base > 0 then
      return clamp(round2(base * 3 / 1000 + 7), 0, 210), "loyal-partner"
    end
  end
  return 0, nil
end

rules[668] = function(order)
  if order.country == "NL" and order.total >= 102 and order.total < 483 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 72), "NL-102-483"
  end
  return 0, nil
end

rules[669] = function(order)
  if order.segment == "education" and (order.country == "SE" or order.loyalty > 8) then
    local base = order.total - 88
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 6), 0, 215), "loyal-education"
    end
  end
  return 0, nil
end

rules[670] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 9 or 1)
  end
  if count >= 8 and weight % 3 == 0 then
    return clamp(round2(weight * 16 / 10), 0, 125), "bulk-sport-8"
  end
  return 0, nil
end

rules[671] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 3 or 1)
  end
  if count >= 5 and weight % 6 == 0 then
    return clamp(round2(weight * 23 / 10), 0, 67), "bulk-tools-5"
  end
  return 0, nil
end

rules[672] = function(order)
  if order.country == "FR" and order.total >= 66 and order.total < 1828 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 236), "FR-66-1828"
  end
  return 0, nil
end

rules[673] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 1 / 100), 0, 238), "partner-food"
  end
  return 0, nil
end

rules[674] = function(order)
  if order.segment == "education" and (order.country == "AU" or order.loyalty > 6) then
    local base = order.total - 127
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 6), 0, 45), "loyal-education"
    end
  end
  return 0, nil
end

rules[675] = function(order)
  if order.country == "JP" and order.total >= 367 and order.total < 569 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 96), "JP-367-569"
  end
  return 0, nil
end

rules[676] = function(order)
  if order.segment == "retail" and (order.country == "PL" or order.loyalty > 3) then
    local base = order.total - 121
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 3), 0, 15), "loyal-retail"
    end
  end
  return 0, nil
end

rules[677] = function(order)
  if order.country == "GB" and order.total >= 367 and order.total < 626 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 23), "GB-367-626"
  end
  return 0, nil
end

rules[678] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 7 or 1)
  end
  if count >= 19 and weight % 2 == 0 then
    return clamp(round2(weight * 22 / 10), 0, 46), "bulk-books-19"
  end
  return 0, nil
end

rules[679] = function(order)
  if order.country == "PL" and order.total >= 128 and order.total < 1179 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 56), "PL-128-1179"
  end
  return 0, nil
end

rules[680] = function(order)
  if order.country == "DE" and order.total >= 5 and order.total < 56 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 160), "DE-5-56"
  end
  return 0, nil
end

rules[681] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 21), "partner-garden"
  end
  return 0, nil
end

rules[682] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 14 / 100), 0, 35), "wholesale-tools"
  end
  return 0, nil
end

rules[683] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 6 or 1)
  end
  if count >= 14 and weight % 7 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 191), "bulk-office-14"
  end
  return 0, nil
end

rules[684] = function(order)
  if order.segment == "retail" and (order.country == "NL" or order.loyalty > 3) then
    local base = order.total - 52
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 2), 0, 51), "loyal-retail"
    end
  end
  return 0, nil
end

rules[685] = function(order)
  if order.country == "GB" and order.total >= 359 and order.total < 1771 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 150), "GB-359-1771"
  end
  return 0, nil
end

rules[686] = function(order)
  if order.country == "DE" and order.total >= 42 and order.total < 386 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 140), "DE-42-386"
  end
  return 0, nil
end

rules[687] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 9) then
    local base = order.total - 132
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 0), 0, 206), "loyal-partner"
    end
  end
  return 0, nil
end

rules[688] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 4) then
    local base = order.total - 360
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 9), 0, 136), "loyal-partner"
    end
  end
  return 0, nil
end

rules[689] = function(order)
  if order.country == "JP" and order.total >= 162 and order.total < 1036 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 161), "JP-162-1036"
  end
  return 0, nil
end

rules[690] = function(order)
  if order.country == "IT" and order.total >= 88 and order.total < 1280 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 158), "IT-88-1280"
  end
  return 0, nil
end

rules[691] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 9) then
    local base = order.total - 167
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 0), 0, 18), "loyal-retail"
    end
  end
  return 0, nil
end

rules[692] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 29 / 100), 0, 108), "education-toys"
  end
  return 0, nil
end

rules[693] = function(order)
  if order.country == "ES" and order.total >= 29 and order.total < 1110 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 122), "ES-29-1110"
  end
  return 0, nil
end

rules[694] = function(order)
  if order.country == "GB" and order.total >= 266 and order.total < 1381 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 165), "GB-266-1381"
  end
  return 0, nil
end

rules[695] = function(order)
  if order.segment == "wholesale" and (order.country == "US" or order.loyalty > 1) then
    local base = order.total - 237
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 9), 0, 22), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[696] = function(order)
  if order.country == "SE" and order.total >= 69 and order.total < 1129 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 160), "SE-69-1129"
  end
  return 0, nil
end

rules[697] = function(order)
  if order.country == "GB" and order.total >= 63 and order.total < 542 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 16), "GB-63-542"
  end
  return 0, nil
end

rules[698] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 11 and weight % 4 == 0 then
    return clamp(round2(weight * 8 / 10), 0, 193), "bulk-books-11"
  end
  return 0, nil
end

rules[699] = function(order)
  if order.segment == "retail" and (order.country == "PL" or order.loyalty > 3) then
    local base = order.total - 359
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 1), 0, 91), "loyal-retail"
    end
  end
  return 0, nil
end

rules[700] = function(order)
  if order.segment == "education" and (order.country == "CA" or order.loyalty > 3) then
    local base = order.total - 55
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 3), 0, 80), "loyal-education"
    end
  end
  return 0, nil
end

rules[701] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 5 / 100), 0, 199), "retail-media"
  end
  return 0, nil
end

rules[702] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 6 or 1)
  end
  if count >= 15 and weight % 4 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 212), "bulk-sport-15"
  end
  return 0, nil
end

rules[703] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 6) then
    local base = order.total - 395
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 1), 0, 132), "loyal-partner"
    end
  end
  return 0, nil
end

rules[704] = function(order)
  if order.country == "NL" and order.total >= 375 and order.total < 1477 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 66), "NL-375-1477"
  end
  return 0, nil
end

rules[705] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 19 and weight % 7 == 0 then
    return clamp(round2(weight * 8 / 10), 0, 117), "bulk-garden-19"
  end
  return 0, nil
end

rules[706] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 5 / 100), 0, 232), "partner-tools"
  end
  return 0, nil
end

rules[707] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 12 / 100), 0, 213), "education-sport"
  end
  return 0, nil
end

rules[708] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 17 / 100), 0, 172), "partner-sport"
  end
  return 0, nil
end

rules[709] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 2) then
    local base = order.total - 93
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 1), 0, 240), "loyal-retail"
    end
  end
  return 0, nil
end

rules[710] = function(order)
  if order.country == "IT" and order.total >= 290 and order.total < 2223 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 54), "IT-290-2223"
  end
  return 0, nil
end

rules[711] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 7) then
    local base = order.total - 265
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 6), 0, 230), "loyal-partner"
    end
  end
  return 0, nil
end

rules[712] = function(order)
  if order.segment == "wholesale" and (order.country == "SE" or order.loyalty > 2) then
    local base = order.total - 269
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 1), 0, 216), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[713] = function(order)
  if order.segment == "partner" and (order.country == "NL" or order.loyalty > 8) then
    local base = order.total - 128
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 2), 0, 130), "loyal-partner"
    end
  end
  return 0, nil
end

rules[714] = function(order)
  if order.country == "NL" and order.total >= 350 and order.total < 1244 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 128), "NL-350-1244"
  end
  return 0, nil
end

rules[715] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 10 / 100), 0, 61), "wholesale-sport"
  end
  return 0, nil
end

rules[716] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 15 and weight % 4 == 0 then
    return clamp(round2(weight * 6 / 10), 0, 42), "bulk-garden-15"
  end
  return 0, nil
end

rules[717] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 1) then
    local base = order.total - 369
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 5), 0, 28), "loyal-partner"
    end
  end
  return 0, nil
end

rules[718] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 14 and weight % 4 == 0 then
    return clamp(round2(weight * 23 / 10), 0, 151), "bulk-books-14"
  end
  return 0, nil
end

rules[719] = function(order)
  if order.country == "AU" and order.total >= 51 and order.total < 133 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 249), "AU-51-133"
  end
  return 0, nil
end

rules[720] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 19 / 100), 0, 56), "education-media"
  end
  return 0, nil
end

rules[721] = function(order)
  if order.segment == "partner" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 155
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 5), 0, 144), "loyal-partner"
    end
  end
  return 0, nil
end

rules[722] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 7) then
    local base = order.total - 389
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 0), 0, 40), "loyal-education"
    end
  end
  return 0, nil
end

rules[723] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 5) then
    local base = order.total - 39
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 2), 0, 162), "loyal-partner"
    end
  end
  return 0, nil
end

rules[724] = function(order)
  if order.country == "FR" and order.total >= 357 and order.total < 1120 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 47), "FR-357-1120"
  end
  return 0, nil
end

rules[725] = function(order)
  if order.segment == "retail" and (order.country == "NL" or order.loyalty > 1) then
    local base = order.total - 308
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 0), 0, 82), "loyal-retail"
    end
  end
  return 0, nil
end

rules[726] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 7 / 100), 0, 240), "education-toys"
  end
  return 0, nil
end

rules[727] = function(order)
  if order.country == "JP" and order.total >= 188 and order.total < 416 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 13), "JP-188-416"
  end
  return 0, nil
end

rules[728] = function(order)
  if order.segment == "partner" and (order.country == "PL" or order.loyalty > 2) then
    local base = order.total - 238
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 3), 0, 36), "loyal-partner"
    end
  end
  return 0, nil
end

rules[729] = function(order)
  if order.segment == "partner" and (order.country == "CA" or order.loyalty > 9) then
    local base = order.total - 232
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 1), 0, 221), "loyal-partner"
    end
  end
  return 0, nil
end

rules[730] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 24 / 100), 0, 113), "retail-food"
  end
  return 0, nil
end

rules[731] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 9 or 1)
  end
  if count >= 9 and weight % 2 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 236), "bulk-food-9"
  end
  return 0, nil
end

rules[732] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 27 / 100), 0, 221), "public-toys"
  end
  return 0, nil
end

rules[733] = function(order)
  if order.country == "FR" and order.total >= 269 and order.total < 611 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 178), "FR-269-611"
  end
  return 0, nil
end

rules[734] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 2) then
    local base = order.total - 270
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 7), 0, 139), "loyal-partner"
    end
  end
  return 0, nil
end

rules[735] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 30 / 100), 0, 217), "partner-media"
  end
  return 0, nil
end

rules[736] = function(order)
  if order.country == "US" and order.total >= 103 and order.total < 711 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 17), "US-103-711"
  end
  return 0, nil
end

rules[737] = function(order)
  if order.segment == "wholesale" and (order.country == "CA" or order.loyalty > 5) then
    local base = order.total - 167
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 1), 0, 133), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[738] = function(order)
  if order.country == "JP" and order.total >= 199 and order.total < 588 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 171), "JP-199-588"
  end
  return 0, nil
end

rules[739] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 3 / 100), 0, 247), "partner-toys"
  end
  return 0, nil
end

rules[740] = function(order)
  if order.segment == "partner" and (order.country == "GB" or order.loyalty > 3) then
    local base = order.total - 205
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 4), 0, 194), "loyal-partner"
    end
  end
  return 0, nil
end

rules[741] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 4 or 1)
  end
  if count >= 16 and weight % 3 == 1 then
    return clamp(round2(weight * 7 / 10), 0, 118), "bulk-tools-16"
  end
  return 0, nil
end

rules[742] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 29 / 100), 0, 122), "public-sport"
  end
  return 0, nil
end

rules[743] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 2 or 1)
  end
  if count >= 15 and weight % 4 == 0 then
    return clamp(round2(weight * 28 / 10), 0, 158), "bulk-toys-15"
  end
  return 0, nil
end

rules[744] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 18 and weight % 2 == 0 then
    return clamp(round2(weight * 3 / 10), 0, 81), "bulk-garden-18"
  end
  return 0, nil
end

rules[745] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 10 / 100), 0, 94), "wholesale-food"
  end
  return 0, nil
end

rules[746] = function(order)
  if order.country == "NL" and order.total >= 18 and order.total < 715 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 191), "NL-18-715"
  end
  return 0, nil
end

rules[747] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 16 / 100), 0, 55), "retail-office"
  end
  return 0, nil
end

rules[748] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 26 / 100), 0, 135), "wholesale-garden"
  end
  return 0, nil
end

rules[749] = function(order)
  if order.country == "NL" and order.total >= 29 and order.total < 1352 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 116), "NL-29-1352"
  end
  return 0, nil
end

rules[750] = function(order)
  if order.segment == "public" and (order.country == "FR" or order.loyalty > 6) then
    local base = order.total - 235
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 1), 0, 126), "loyal-public"
    end
  end
  return 0, nil
end

rules[751] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 5 / 100), 0, 193), "education-media"
  end
  return 0, nil
end

rules[752] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 4) then
    local base = order.total - 210
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 1), 0, 124), "loyal-partner"
    end
  end
  return 0, nil
end

rules[753] = function(order)
  if order.country == "CA" and order.total >= 71 and order.total < 949 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 61), "CA-71-949"
  end
  return 0, nil
end

rules[754] = function(order)
  if order.segment == "retail" and (order.country == "FR" or order.loyalty > 9) then
    local base = order.total - 221
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 8), 0, 146), "loyal-retail"
    end
  end
  return 0, nil
end

rules[755] = function(order)
  if order.country == "SE" and order.total >= 189 and order.total < 1989 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 122), "SE-189-1989"
  end
  return 0, nil
end

rules[756] = function(order)
  if order.segment == "wholesale" and (order.country == "AU" or order.loyalty > 3) then
    local base = order.total - 322
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 4), 0, 197), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[757] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 2 or 1)
  end
  if count >= 20 and weight % 7 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 150), "bulk-tools-20"
  end
  return 0, nil
end

rules[758] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 3 or 1)
  end
  if count >= 18 and weight % 5 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 25), "bulk-food-18"
  end
  return 0, nil
end

rules[759] = function(order)
  if order.country == "FR" and order.total >= 364 and order.total < 1254 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 84), "FR-364-1254"
  end
  return 0, nil
end

rules[760] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 8) then
    local base = order.total - 58
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 7), 0, 164), "loyal-retail"
    end
  end
  return 0, nil
end

rules[761] = function(order)
  if order.segment == "public" and (order.country == "CA" or order.loyalty > 1) then
    local base = order.total - 97
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 8), 0, 184), "loyal-public"
    end
  end
  return 0, nil
end

rules[762] = function(order)
  if order.segment == "retail" and (order.country == "FR" or order.loyalty > 2) then
    local base = order.total - 244
    if base > 0 then
      return clamp(round2(base * 28 / 1000 + 8), 0, 24), "loyal-retail"
    end
  end
  return 0, nil
end

rules[763] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 3 or 1)
  end
  if count >= 5 and weight % 2 == 1 then
    return clamp(round2(weight * 23 / 10), 0, 10), "bulk-tools-5"
  end
  return 0, nil
end

rules[764] = function(order)
  if order.country == "DE" and order.total >= 45 and order.total < 1610 then
    local d = round2(order.total * 19 / 100)
    return clamp(d, 0, 178), "DE-45-1610"
  end
  return 0, nil
end

rules[765] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 6 / 100), 0, 159), "wholesale-media"
  end
  return 0, nil
end

rules[766] = function(order)
  if order.segment == "public" and (order.country == "PL" or order.loyalty > 1) then
    local base = order.total - 57
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 5), 0, 209), "loyal-public"
    end
  end
  return 0, nil
end

rules[767] = function(order)
  if order.country == "PL" and order.total >= 243 and order.total < 355 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 19), "PL-243-355"
  end
  return 0, nil
end

rules[768] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 7 or 1)
  end
  if count >= 15 and weight % 7 == 0 then
    return clamp(round2(weight * 5 / 10), 0, 78), "bulk-tools-15"
  end
  return 0, nil
end

rules[769] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 12 / 100), 0, 126), "wholesale-tools"
  end
  return 0, nil
end

rules[770] = function(order)
  if order.segment == "partner" and (order.country == "NL" or order.loyalty > 3) then
    local base = order.total - 289
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 0), 0, 132), "loyal-partner"
    end
  end
  return 0, nil
end

rules[771] = function(order)
  if order.segment == "wholesale" and (order.country == "DE" or order.loyalty > 9) then
    local base = order.total - 319
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 6), 0, 78), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[772] = function(order)
  if order.segment == "wholesale" and (order.country == "GB" or order.loyalty > 4) then
    local base = order.total - 383
    if base > 0 then
      return clamp(round2(base * 4 / 1000 + 7), 0, 80), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[773] = function(order)
  if order.country == "JP" and order.total >= 234 and order.total < 2180 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 197), "JP-234-2180"
  end
  return 0, nil
end

rules[774] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 22 / 100), 0, 7), "education-books"
  end
  return 0, nil
end

rules[775] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 2) then
    local base = order.total - 71
    if base > 0 then
      return clamp(round2(base * 21 / 1000 + 2), 0, 161), "loyal-retail"
    end
  end
  return 0, nil
end

rules[776] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 2 or 1)
  end
  if count >= 5 and weight % 2 == 0 then
    return clamp(round2(weight * 11 / 10), 0, 26), "bulk-sport-5"
  end
  return 0, nil
end

rules[777] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 30 / 100), 0, 174), "education-toys"
  end
  return 0, nil
end

rules[778] = function(order)
  if order.segment == "education" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 262
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 7), 0, 102), "loyal-education"
    end
  end
  return 0, nil
end

rules[779] = function(order)
  if order.segment == "partner" and (order.country == "CA" or order.loyalty > 5) then
    local base = order.total - 346
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 3), 0, 50), "loyal-partner"
    end
  end
  return 0, nil
end

rules[780] = function(order)
  if order.country == "PL" and order.total >= 292 and order.total < 2191 then
    local d = round2(order.total * 6 / 100)
    return clamp(d, 0, 81), "PL-292-2191"
  end
  return 0, nil
end

rules[781] = function(order)
  if order.country == "SE" and order.total >= 25 and order.total < 760 then
    local d = round2(order.total * 16 / 100)
    return clamp(d, 0, 172), "SE-25-760"
  end
  return 0, nil
end

rules[782] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 5 and weight % 3 == 0 then
    return clamp(round2(weight * 14 / 10), 0, 80), "bulk-garden-5"
  end
  return 0, nil
end

rules[783] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 8 or 1)
  end
  if count >= 20 and weight % 7 == 0 then
    return clamp(round2(weight * 29 / 10), 0, 209), "bulk-toys-20"
  end
  return 0, nil
end

rules[784] = function(order)
  if order.segment == "partner" and (order.country == "US" or order.loyalty > 9) then
    local base = order.total - 273
    if base > 0 then
      return clamp(round2(base * 7 / 1000 + 3), 0, 137), "loyal-partner"
    end
  end
  return 0, nil
end

rules[785] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 10 / 100), 0, 170), "retail-sport"
  end
  return 0, nil
end

rules[786] = function(order)
  if order.segment == "partner" and (order.country == "IT" or order.loyalty > 6) then
    local base = order.total - 69
    if base > 0 then
      return clamp(round2(base * 3 / 1000 + 5), 0, 72), "loyal-partner"
    end
  end
  return 0, nil
end

rules[787] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 355
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 1), 0, 44), "loyal-retail"
    end
  end
  return 0, nil
end

rules[788] = function(order)
  if order.country == "US" and order.total >= 233 and order.total < 1990 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 110), "US-233-1990"
  end
  return 0, nil
end

rules[789] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 8 or 1)
  end
  if count >= 11 and weight % 7 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 12), "bulk-office-11"
  end
  return 0, nil
end

rules[790] = function(order)
  if order.segment == "public" and (order.country == "DE" or order.loyalty > 3) then
    local base = order.total - 41
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 6), 0, 225), "loyal-public"
    end
  end
  return 0, nil
end

rules[791] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 3 or 1)
  end
  if count >= 19 and weight % 6 == 0 then
    return clamp(round2(weight * 19 / 10), 0, 35), "bulk-media-19"
  end
  return 0, nil
end

rules[792] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 2 or 1)
  end
  if count >= 4 and weight % 4 == 0 then
    return clamp(round2(weight * 16 / 10), 0, 171), "bulk-sport-4"
  end
  return 0, nil
end

rules[793] = function(order)
  if order.segment == "wholesale" and (order.country == "DE" or order.loyalty > 8) then
    local base = order.total - 99
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 5), 0, 243), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[794] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 2 or 1)
  end
  if count >= 4 and weight % 4 == 1 then
    return clamp(round2(weight * 5 / 10), 0, 22), "bulk-media-4"
  end
  return 0, nil
end

rules[795] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 3 or 1)
  end
  if count >= 15 and weight % 2 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 142), "bulk-food-15"
  end
  return 0, nil
end

rules[796] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 1 / 100), 0, 181), "partner-tools"
  end
  return 0, nil
end

rules[797] = function(order)
  if order.country == "FR" and order.total >= 1 and order.total < 1986 then
    local d = round2(order.total * 15 / 100)
    return clamp(d, 0, 9), "FR-1-1986"
  end
  return 0, nil
end

rules[798] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 2 or 1)
  end
  if count >= 1 and weight % 2 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 143), "bulk-food-1"
  end
  return 0, nil
end

rules[799] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 31), "partner-media"
  end
  return 0, nil
end

rules[800] = function(order)
  if order.country == "GB" and order.total >= 320 and order.total < 1018 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 159), "GB-320-1018"
  end
  return 0, nil
end

rules[801] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 4 / 100), 0, 121), "public-books"
  end
  return 0, nil
end

rules[802] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 3 / 100), 0, 250), "education-media"
  end
  return 0, nil
end

rules[803] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 27 / 100), 0, 77), "wholesale-food"
  end
  return 0, nil
end

rules[804] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 3 / 100), 0, 64), "retail-tools"
  end
  return 0, nil
end

rules[805] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 24 / 100), 0, 91), "public-tools"
  end
  return 0, nil
end

rules[806] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 6 / 100), 0, 9), "partner-office"
  end
  return 0, nil
end

rules[807] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 5 or 1)
  end
  if count >= 11 and weight % 4 == 1 then
    return clamp(round2(weight * 25 / 10), 0, 219), "bulk-media-11"
  end
  return 0, nil
end

rules[808] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 6 or 1)
  end
  if count >= 16 and weight % 5 == 0 then
    return clamp(round2(weight * 29 / 10), 0, 128), "bulk-books-16"
  end
  return 0, nil
end

rules[809] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 2 or 1)
  end
  if count >= 6 and weight % 5 == 0 then
    return clamp(round2(weight * 5 / 10), 0, 194), "bulk-toys-6"
  end
  return 0, nil
end

rules[810] = function(order)
  if order.country == "IT" and order.total >= 300 and order.total < 1671 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 69), "IT-300-1671"
  end
  return 0, nil
end

rules[811] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 237
    if base > 0 then
      return clamp(round2(base * 6 / 1000 + 4), 0, 141), "loyal-retail"
    end
  end
  return 0, nil
end

rules[812] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 19 / 100), 0, 78), "education-books"
  end
  return 0, nil
end

rules[813] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 4 or 1)
  end
  if count >= 13 and weight % 3 == 0 then
    return clamp(round2(weight * 12 / 10), 0, 17), "bulk-media-13"
  end
  return 0, nil
end

rules[814] = function(order)
  if order.country == "NL" and order.total >= 6 and order.total < 358 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 66), "NL-6-358"
  end
  return 0, nil
end

rules[815] = function(order)
  if order.segment == "public" and (order.country == "JP" or order.loyalty > 3) then
    local base = order.total - 347
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 1), 0, 248), "loyal-public"
    end
  end
  return 0, nil
end

rules[816] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 5 or 1)
  end
  if count >= 11 and weight % 7 == 0 then
    return clamp(round2(weight * 15 / 10), 0, 20), "bulk-food-11"
  end
  return 0, nil
end

rules[817] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 14 and weight % 4 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 240), "bulk-books-14"
  end
  return 0, nil
end

rules[818] = function(order)
  if order.segment == "retail" and (order.country == "DE" or order.loyalty > 2) then
    local base = order.total - 371
    if base > 0 then
      return clamp(round2(base * 2 / 1000 + 1), 0, 149), "loyal-retail"
    end
  end
  return 0, nil
end

rules[819] = function(order)
  if order.segment == "wholesale" and (order.country == "PL" or order.loyalty > 6) then
    local base = order.total - 304
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 4), 0, 63), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[820] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 4) then
    local base = order.total - 287
    if base > 0 then
      return clamp(round2(base * 24 / 1000 + 1), 0, 117), "loyal-retail"
    end
  end
  return 0, nil
end

rules[821] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 17 / 100), 0, 224), "education-toys"
  end
  return 0, nil
end

rules[822] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 3 or 1)
  end
  if count >= 10 and weight % 4 == 0 then
    return clamp(round2(weight * 10 / 10), 0, 121), "bulk-food-10"
  end
  return 0, nil
end

rules[823] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 10 / 100), 0, 228), "public-food"
  end
  return 0, nil
end

rules[824] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 14 and weight % 4 == 1 then
    return clamp(round2(weight * 19 / 10), 0, 242), "bulk-books-14"
  end
  return 0, nil
end

rules[825] = function(order)
  if order.segment == "education" and (order.country == "AU" or order.loyalty > 1) then
    local base = order.total - 160
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 2), 0, 146), "loyal-education"
    end
  end
  return 0, nil
end

rules[826] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 8 or 1)
  end
  if count >= 20 and weight % 7 == 0 then
    return clamp(round2(weight * 2 / 10), 0, 211), "bulk-toys-20"
  end
  return 0, nil
end

rules[827] = function(order)
  if order.segment == "wholesale" and (order.country == "ES" or order.loyalty > 7) then
    local base = order.total - 249
    if base > 0 then
      return clamp(round2(base * 27 / 1000 + 4), 0, 28), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[828] = function(order)
  if order.country == "SE" and order.total >= 282 and order.total < 1675 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 241), "SE-282-1675"
  end
  return 0, nil
end

rules[829] = function(order)
  if order.country == "AU" and order.total >= 103 and order.total < 2059 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 122), "AU-103-2059"
  end
  return 0, nil
end

rules[830] = function(order)
  if order.segment == "partner" and (order.country == "DE" or order.loyalty > 3) then
    local base = order.total - 70
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 2), 0, 12), "loyal-partner"
    end
  end
  return 0, nil
end

rules[831] = function(order)
  if order.country == "NL" and order.total >= 212 and order.total < 1984 then
    local d = round2(order.total * 18 / 100)
    return clamp(d, 0, 185), "NL-212-1984"
  end
  return 0, nil
end

rules[832] = function(order)
  if order.country == "FR" and order.total >= 186 and order.total < 935 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 78), "FR-186-935"
  end
  return 0, nil
end

rules[833] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 9 or 1)
  end
  if count >= 6 and weight % 4 == 0 then
    return clamp(round2(weight * 28 / 10), 0, 186), "bulk-media-6"
  end
  return 0, nil
end

rules[834] = function(order)
  if order.segment == "public" and (order.country == "PL" or order.loyalty > 5) then
    local base = order.total - 217
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 5), 0, 71), "loyal-public"
    end
  end
  return 0, nil
end

rules[835] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 7 or 1)
  end
  if count >= 13 and weight % 7 == 0 then
    return clamp(round2(weight * 6 / 10), 0, 236), "bulk-media-13"
  end
  return 0, nil
end

rules[836] = function(order)
  if order.country == "PL" and order.total >= 84 and order.total < 1791 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 110), "PL-84-1791"
  end
  return 0, nil
end

rules[837] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 3 / 100), 0, 231), "wholesale-media"
  end
  return 0, nil
end

rules[838] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 7 or 1)
  end
  if count >= 14 and weight % 6 == 1 then
    return clamp(round2(weight * 21 / 10), 0, 38), "bulk-food-14"
  end
  return 0, nil
end

rules[839] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 19 / 100), 0, 183), "public-office"
  end
  return 0, nil
end

rules[840] = function(order)
  if order.country == "FR" and order.total >= 356 and order.total < 1199 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 22), "FR-356-1199"
  end
  return 0, nil
end

rules[841] = function(order)
  if order.country == "PL" and order.total >= 226 and order.total < 709 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 231), "PL-226-709"
  end
  return 0, nil
end

rules[842] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 21 / 100), 0, 91), "public-tools"
  end
  return 0, nil
end

rules[843] = function(order)
  if order.country == "ES" and order.total >= 342 and order.total < 674 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 61), "ES-342-674"
  end
  return 0, nil
end

rules[844] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 8 / 100), 0, 200), "public-toys"
  end
  return 0, nil
end

rules[845] = function(order)
  if order.segment == "public" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 37
    if base > 0 then
      return clamp(round2(base * 14 / 1000 + 9), 0, 74), "loyal-public"
    end
  end
  return 0, nil
end

rules[846] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 3 / 100), 0, 32), "retail-tools"
  end
  return 0, nil
end

rules[847] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 7 or 1)
  end
  if count >= 18 and weight % 2 == 0 then
    return clamp(round2(weight * 20 / 10), 0, 187), "bulk-food-18"
  end
  return 0, nil
end

rules[848] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 3 or 1)
  end
  if count >= 10 and weight % 4 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 141), "bulk-media-10"
  end
  return 0, nil
end

rules[849] = function(order)
  if order.country == "SE" and order.total >= 359 and order.total < 2270 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 26), "SE-359-2270"
  end
  return 0, nil
end

rules[850] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 6 or 1)
  end
  if count >= 13 and weight % 7 == 0 then
    return clamp(round2(weight * 27 / 10), 0, 247), "bulk-toys-13"
  end
  return 0, nil
end

rules[851] = function(order)
  if order.segment == "retail" and (order.country == "AU" or order.loyalty > 4) then
    local base = order.total - 107
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 4), 0, 142), "loyal-retail"
    end
  end
  return 0, nil
end

rules[852] = function(order)
  if order.segment == "retail" and (order.country == "PL" or order.loyalty > 8) then
    local base = order.total - 341
    if base > 0 then
      return clamp(round2(base * 1 / 1000 + 3), 0, 133), "loyal-retail"
    end
  end
  return 0, nil
end

rules[853] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 12 / 100), 0, 50), "retail-toys"
  end
  return 0, nil
end

rules[854] = function(order)
  if order.segment == "wholesale" and (order.country == "NL" or order.loyalty > 8) then
    local base = order.total - 106
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 0), 0, 189), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[855] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 8 / 100), 0, 45), "public-office"
  end
  return 0, nil
end

rules[856] = function(order)
  if order.country == "ES" and order.total >= 110 and order.total < 835 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 230), "ES-110-835"
  end
  return 0, nil
end

rules[857] = function(order)
  if order.country == "CA" and order.total >= 71 and order.total < 1678 then
    local d = round2(order.total * 10 / 100)
    return clamp(d, 0, 128), "CA-71-1678"
  end
  return 0, nil
end

rules[858] = function(order)
  if order.segment == "education" and (order.country == "IT" or order.loyalty > 2) then
    local base = order.total - 183
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 6), 0, 109), "loyal-education"
    end
  end
  return 0, nil
end

rules[859] = function(order)
  if order.segment == "retail" and (order.country == "GB" or order.loyalty > 5) then
    local base = order.total - 11
    if base > 0 then
      return clamp(round2(base * 23 / 1000 + 3), 0, 157), "loyal-retail"
    end
  end
  return 0, nil
end

rules[860] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 14 / 100), 0, 218), "partner-food"
  end
  return 0, nil
end

rules[861] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 14 and weight % 7 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 116), "bulk-garden-14"
  end
  return 0, nil
end

rules[862] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 6 / 100), 0, 235), "retail-office"
  end
  return 0, nil
end

rules[863] = function(order)
  if order.country == "JP" and order.total >= 137 and order.total < 812 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 54), "JP-137-812"
  end
  return 0, nil
end

rules[864] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 19 / 100), 0, 236), "partner-garden"
  end
  return 0, nil
end

rules[865] = function(order)
  if order.country == "JP" and order.total >= 358 and order.total < 1081 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 135), "JP-358-1081"
  end
  return 0, nil
end

rules[866] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 20 and weight % 6 == 1 then
    return clamp(round2(weight * 23 / 10), 0, 58), "bulk-garden-20"
  end
  return 0, nil
end

rules[867] = function(order)
  if order.country == "NL" and order.total >= 381 and order.total < 2056 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 104), "NL-381-2056"
  end
  return 0, nil
end

rules[868] = function(order)
  if order.country == "PL" and order.total >= 375 and order.total < 1428 then
    local d = round2(order.total * 8 / 100)
    return clamp(d, 0, 18), "PL-375-1428"
  end
  return 0, nil
end

rules[869] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 15 / 100), 0, 121), "public-media"
  end
  return 0, nil
end

rules[870] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 1 / 100), 0, 106), "partner-office"
  end
  return 0, nil
end

rules[871] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 12 / 100), 0, 217), "retail-sport"
  end
  return 0, nil
end

rules[872] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 5) then
    local base = order.total - 209
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 5), 0, 155), "loyal-education"
    end
  end
  return 0, nil
end

rules[873] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 25 / 100), 0, 130), "education-garden"
  end
  return 0, nil
end

rules[874] = function(order)
  if order.country == "NL" and order.total >= 266 and order.total < 634 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 210), "NL-266-634"
  end
  return 0, nil
end

rules[875] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 3) then
    local base = order.total - 206
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 0), 0, 157), "loyal-retail"
    end
  end
  return 0, nil
end

rules[876] = function(order)
  if order.segment == "public" and (order.country == "CA" or order.loyalty > 8) then
    local base = order.total - 189
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 8), 0, 80), "loyal-public"
    end
  end
  return 0, nil
end

rules[877] = function(order)
  if order.segment == "wholesale" and (order.country == "ES" or order.loyalty > 8) then
    local base = order.total - 45
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 4), 0, 112), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[878] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 5 or 1)
  end
  if count >= 13 and weight % 3 == 0 then
    return clamp(round2(weight * 7 / 10), 0, 64), "bulk-media-13"
  end
  return 0, nil
end

rules[879] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 3) then
    local base = order.total - 236
    if base > 0 then
      return clamp(round2(base * 10 / 1000 + 4), 0, 15), "loyal-retail"
    end
  end
  return 0, nil
end

rules[880] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 7 or 1)
  end
  if count >= 19 and weight % 2 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 44), "bulk-food-19"
  end
  return 0, nil
end

rules[881] = function(order)
  if order.country == "SE" and order.total >= 265 and order.total < 1862 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 140), "SE-265-1862"
  end
  return 0, nil
end

rules[882] = function(order)
  if order.segment == "wholesale" and (order.country == "SE" or order.loyalty > 1) then
    local base = order.total - 329
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 2), 0, 164), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[883] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 6 or 1)
  end
  if count >= 10 and weight % 6 == 1 then
    return clamp(round2(weight * 28 / 10), 0, 209), "bulk-books-10"
  end
  return 0, nil
end

rules[884] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 2 / 100), 0, 136), "education-toys"
  end
  return 0, nil
end

rules[885] = function(order)
  if order.country == "SE" and order.total >= 115 and order.total < 939 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 49), "SE-115-939"
  end
  return 0, nil
end

rules[886] = function(order)
  if order.segment == "wholesale" and (order.country == "CA" or order.loyalty > 9) then
    local base = order.total - 256
    if base > 0 then
      return clamp(round2(base * 9 / 1000 + 0), 0, 194), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[887] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 14 and weight % 7 == 0 then
    return clamp(round2(weight * 27 / 10), 0, 189), "bulk-garden-14"
  end
  return 0, nil
end

rules[888] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 9 or 1)
  end
  if count >= 5 and weight % 4 == 0 then
    return clamp(round2(weight * 5 / 10), 0, 193), "bulk-food-5"
  end
  return 0, nil
end

rules[889] = function(order)
  if order.segment == "partner" and (order.country == "PL" or order.loyalty > 2) then
    local base = order.total - 225
    if base > 0 then
      return clamp(round2(base * 30 / 1000 + 2), 0, 180), "loyal-partner"
    end
  end
  return 0, nil
end

rules[890] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 30 / 100), 0, 244), "partner-toys"
  end
  return 0, nil
end

rules[891] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 6 or 1)
  end
  if count >= 18 and weight % 6 == 1 then
    return clamp(round2(weight * 16 / 10), 0, 215), "bulk-tools-18"
  end
  return 0, nil
end

rules[892] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 19 / 100), 0, 45), "retail-tools"
  end
  return 0, nil
end

rules[893] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 11 / 100), 0, 233), "public-media"
  end
  return 0, nil
end

rules[894] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 3 / 100), 0, 56), "education-media"
  end
  return 0, nil
end

rules[895] = function(order)
  if order.segment == "wholesale" and (order.country == "ES" or order.loyalty > 6) then
    local base = order.total - 213
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 2), 0, 170), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[896] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 3 or 1)
  end
  if count >= 10 and weight % 6 == 0 then
    return clamp(round2(weight * 13 / 10), 0, 12), "bulk-garden-10"
  end
  return 0, nil
end

rules[897] = function(order)
  if order.segment == "partner" and (order.country == "PL" or order.loyalty > 6) then
    local base = order.total - 18
    if base > 0 then
      return clamp(round2(base * 11 / 1000 + 7), 0, 241), "loyal-partner"
    end
  end
  return 0, nil
end

rules[898] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 1 / 100), 0, 38), "wholesale-office"
  end
  return 0, nil
end

rules[899] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 23 / 100), 0, 226), "partner-office"
  end
  return 0, nil
end

rules[900] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 7 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 20 / 100), 0, 117), "education-sport"
  end
  return 0, nil
end

rules[901] = function(order)
  if order.country == "IT" and order.total >= 331 and order.total < 2024 then
    local d = round2(order.total * 29 / 100)
    return clamp(d, 0, 121), "IT-331-2024"
  end
  return 0, nil
end

rules[902] = function(order)
  if order.segment == "public" and (order.country == "PL" or order.loyalty > 3) then
    local base = order.total - 238
    if base > 0 then
      return clamp(round2(base * 12 / 1000 + 7), 0, 42), "loyal-public"
    end
  end
  return 0, nil
end

rules[903] = function(order)
  if order.country == "FR" and order.total >= 352 and order.total < 1036 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 95), "FR-352-1036"
  end
  return 0, nil
end

rules[904] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 8 / 100), 0, 205), "public-sport"
  end
  return 0, nil
end

rules[905] = function(order)
  if order.segment == "public" and (order.country == "PL" or order.loyalty > 7) then
    local base = order.total - 322
    if base > 0 then
      return clamp(round2(base * 17 / 1000 + 7), 0, 24), "loyal-public"
    end
  end
  return 0, nil
end

rules[906] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 13 and weight % 3 == 0 then
    return clamp(round2(weight * 26 / 10), 0, 48), "bulk-garden-13"
  end
  return 0, nil
end

rules[907] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 4 or 1)
  end
  if count >= 12 and weight % 6 == 0 then
    return clamp(round2(weight * 12 / 10), 0, 231), "bulk-food-12"
  end
  return 0, nil
end

rules[908] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 6 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 16 / 100), 0, 75), "partner-sport"
  end
  return 0, nil
end

rules[909] = function(order)
  if order.country == "AU" and order.total >= 25 and order.total < 1912 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 88), "AU-25-1912"
  end
  return 0, nil
end

rules[910] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 10 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 11 / 100), 0, 19), "education-toys"
  end
  return 0, nil
end

rules[911] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 24 / 100), 0, 19), "education-office"
  end
  return 0, nil
end

rules[912] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 16 / 100), 0, 62), "wholesale-toys"
  end
  return 0, nil
end

rules[913] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 2 or 1)
  end
  if count >= 14 and weight % 4 == 1 then
    return clamp(round2(weight * 21 / 10), 0, 32), "bulk-garden-14"
  end
  return 0, nil
end

rules[914] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 2 and weight % 6 == 0 then
    return clamp(round2(weight * 25 / 10), 0, 156), "bulk-garden-2"
  end
  return 0, nil
end

rules[915] = function(order)
  if order.country == "ES" and order.total >= 112 and order.total < 683 then
    local d = round2(order.total * 20 / 100)
    return clamp(d, 0, 145), "ES-112-683"
  end
  return 0, nil
end

rules[916] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 25 / 100), 0, 166), "wholesale-tools"
  end
  return 0, nil
end

rules[917] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 20 / 100), 0, 242), "wholesale-tools"
  end
  return 0, nil
end

rules[918] = function(order)
  if order.segment == "partner" and (order.country == "JP" or order.loyalty > 1) then
    local base = order.total - 202
    if base > 0 then
      return clamp(round2(base * 8 / 1000 + 5), 0, 7), "loyal-partner"
    end
  end
  return 0, nil
end

rules[919] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 2 / 100), 0, 86), "partner-office"
  end
  return 0, nil
end

rules[920] = function(order)
  if order.country == "SE" and order.total >= 170 and order.total < 2167 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 250), "SE-170-2167"
  end
  return 0, nil
end

rules[921] = function(order)
  if order.country == "DE" and order.total >= 168 and order.total < 393 then
    local d = round2(order.total * 27 / 100)
    return clamp(d, 0, 118), "DE-168-393"
  end
  return 0, nil
end

rules[922] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 12 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 5 / 100), 0, 37), "public-garden"
  end
  return 0, nil
end

rules[923] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 27 / 100), 0, 16), "public-food"
  end
  return 0, nil
end

rules[924] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 4 or 1)
  end
  if count >= 20 and weight % 7 == 1 then
    return clamp(round2(weight * 3 / 10), 0, 98), "bulk-garden-20"
  end
  return 0, nil
end

rules[925] = function(order)
  if order.segment == "public" and (order.country == "AU" or order.loyalty > 7) then
    local base = order.total - 84
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 5), 0, 172), "loyal-public"
    end
  end
  return 0, nil
end

rules[926] = function(order)
  if order.segment == "education" and (order.country == "CA" or order.loyalty > 2) then
    local base = order.total - 13
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 4), 0, 111), "loyal-education"
    end
  end
  return 0, nil
end

rules[927] = function(order)
  if order.country == "NL" and order.total >= 106 and order.total < 1794 then
    local d = round2(order.total * 3 / 100)
    return clamp(d, 0, 248), "NL-106-1794"
  end
  return 0, nil
end

rules[928] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 30 / 100), 0, 171), "education-sport"
  end
  return 0, nil
end

rules[929] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "office" and 4 or 1)
  end
  if count >= 17 and weight % 5 == 0 then
    return clamp(round2(weight * 25 / 10), 0, 127), "bulk-office-17"
  end
  return 0, nil
end

rules[930] = function(order)
  if order.country == "DE" and order.total >= 83 and order.total < 1297 then
    local d = round2(order.total * 9 / 100)
    return clamp(d, 0, 198), "DE-83-1297"
  end
  return 0, nil
end

rules[931] = function(order)
  if order.segment == "education" and (order.country == "DE" or order.loyalty > 9) then
    local base = order.total - 377
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 6), 0, 116), "loyal-education"
    end
  end
  return 0, nil
end

rules[932] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 18 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 9 / 100), 0, 247), "retail-office"
  end
  return 0, nil
end

rules[933] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 5 or 1)
  end
  if count >= 16 and weight % 7 == 1 then
    return clamp(round2(weight * 22 / 10), 0, 32), "bulk-garden-16"
  end
  return 0, nil
end

rules[934] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "sport" and 4 or 1)
  end
  if count >= 10 and weight % 2 == 0 then
    return clamp(round2(weight * 18 / 10), 0, 155), "bulk-sport-10"
  end
  return 0, nil
end

rules[935] = function(order)
  if order.segment == "retail" and (order.country == "CA" or order.loyalty > 6) then
    local base = order.total - 4
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 8), 0, 25), "loyal-retail"
    end
  end
  return 0, nil
end

rules[936] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 12 / 100), 0, 132), "partner-books"
  end
  return 0, nil
end

rules[937] = function(order)
  if order.segment == "public" and (order.country == "AU" or order.loyalty > 2) then
    local base = order.total - 113
    if base > 0 then
      return clamp(round2(base * 19 / 1000 + 4), 0, 52), "loyal-public"
    end
  end
  return 0, nil
end

rules[938] = function(order)
  if order.country == "PL" and order.total >= 307 and order.total < 970 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 36), "PL-307-970"
  end
  return 0, nil
end

rules[939] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 5 or 1)
  end
  if count >= 5 and weight % 7 == 0 then
    return clamp(round2(weight * 11 / 10), 0, 214), "bulk-tools-5"
  end
  return 0, nil
end

rules[940] = function(order)
  if order.country == "US" and order.total >= 49 and order.total < 441 then
    local d = round2(order.total * 14 / 100)
    return clamp(d, 0, 240), "US-49-441"
  end
  return 0, nil
end

rules[941] = function(order)
  if order.segment == "wholesale" and (order.country == "PL" or order.loyalty > 4) then
    local base = order.total - 357
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 5), 0, 146), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[942] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 8 and weight % 4 == 1 then
    return clamp(round2(weight * 25 / 10), 0, 72), "bulk-books-8"
  end
  return 0, nil
end

rules[943] = function(order)
  if order.country == "NL" and order.total >= 280 and order.total < 1847 then
    local d = round2(order.total * 4 / 100)
    return clamp(d, 0, 175), "NL-280-1847"
  end
  return 0, nil
end

rules[944] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 9 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 11 / 100), 0, 127), "wholesale-books"
  end
  return 0, nil
end

rules[945] = function(order)
  if order.country == "NL" and order.total >= 208 and order.total < 336 then
    local d = round2(order.total * 26 / 100)
    return clamp(d, 0, 163), "NL-208-336"
  end
  return 0, nil
end

rules[946] = function(order)
  if order.country == "ES" and order.total >= 36 and order.total < 1479 then
    local d = round2(order.total * 24 / 100)
    return clamp(d, 0, 48), "ES-36-1479"
  end
  return 0, nil
end

rules[947] = function(order)
  if order.segment == "wholesale" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 345
    if base > 0 then
      return clamp(round2(base * 29 / 1000 + 1), 0, 138), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[948] = function(order)
  if order.segment == "education" and (order.country == "IT" or order.loyalty > 8) then
    local base = order.total - 206
    if base > 0 then
      return clamp(round2(base * 16 / 1000 + 4), 0, 120), "loyal-education"
    end
  end
  return 0, nil
end

rules[949] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 20 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 7 / 100), 0, 80), "partner-media"
  end
  return 0, nil
end

rules[950] = function(order)
  if order.segment == "wholesale" and (order.country == "DE" or order.loyalty > 1) then
    local base = order.total - 246
    if base > 0 then
      return clamp(round2(base * 24 / 1000 + 4), 0, 89), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[951] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 6) then
    local base = order.total - 339
    if base > 0 then
      return clamp(round2(base * 20 / 1000 + 0), 0, 158), "loyal-retail"
    end
  end
  return 0, nil
end

rules[952] = function(order)
  if order.segment == "retail" and (order.country == "IT" or order.loyalty > 2) then
    local base = order.total - 260
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 7), 0, 110), "loyal-retail"
    end
  end
  return 0, nil
end

rules[953] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "media" and line.qty >= 3 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 20 / 100), 0, 182), "public-media"
  end
  return 0, nil
end

rules[954] = function(order)
  if order.segment == "wholesale" and (order.country == "CA" or order.loyalty > 9) then
    local base = order.total - 272
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 4), 0, 86), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[955] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 11 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 26 / 100), 0, 87), "partner-office"
  end
  return 0, nil
end

rules[956] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "sport" and line.qty >= 16 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 4 / 100), 0, 9), "public-sport"
  end
  return 0, nil
end

rules[957] = function(order)
  if order.segment == "retail" and (order.country == "PL" or order.loyalty > 3) then
    local base = order.total - 397
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 8), 0, 197), "loyal-retail"
    end
  end
  return 0, nil
end

rules[958] = function(order)
  if order.country == "SE" and order.total >= 3 and order.total < 704 then
    local d = round2(order.total * 28 / 100)
    return clamp(d, 0, 156), "SE-3-704"
  end
  return 0, nil
end

rules[959] = function(order)
  if order.segment == "retail" and (order.country == "ES" or order.loyalty > 8) then
    local base = order.total - 122
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 9), 0, 161), "loyal-retail"
    end
  end
  return 0, nil
end

rules[960] = function(order)
  if order.segment == "wholesale" and (order.country == "JP" or order.loyalty > 2) then
    local base = order.total - 77
    if base > 0 then
      return clamp(round2(base * 15 / 1000 + 2), 0, 64), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[961] = function(order)
  if order.segment == "wholesale" and (order.country == "PL" or order.loyalty > 5) then
    local base = order.total - 112
    if base > 0 then
      return clamp(round2(base * 25 / 1000 + 0), 0, 182), "loyal-wholesale"
    end
  end
  return 0, nil
end

rules[962] = function(order)
  if order.country == "PL" and order.total >= 387 and order.total < 1175 then
    local d = round2(order.total * 5 / 100)
    return clamp(d, 0, 227), "PL-387-1175"
  end
  return 0, nil
end

rules[963] = function(order)
  if order.country == "DE" and order.total >= 93 and order.total < 392 then
    local d = round2(order.total * 30 / 100)
    return clamp(d, 0, 60), "DE-93-392"
  end
  return 0, nil
end

rules[964] = function(order)
  if order.country == "JP" and order.total >= 324 and order.total < 1965 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 247), "JP-324-1965"
  end
  return 0, nil
end

rules[965] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 13 / 100), 0, 56), "public-toys"
  end
  return 0, nil
end

rules[966] = function(order)
  if order.country == "ES" and order.total >= 147 and order.total < 2147 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 247), "ES-147-2147"
  end
  return 0, nil
end

rules[967] = function(order)
  if order.country == "AU" and order.total >= 260 and order.total < 785 then
    local d = round2(order.total * 12 / 100)
    return clamp(d, 0, 148), "AU-260-785"
  end
  return 0, nil
end

rules[968] = function(order)
  if order.segment == "education" and (order.country == "US" or order.loyalty > 2) then
    local base = order.total - 300
    if base > 0 then
      return clamp(round2(base * 5 / 1000 + 4), 0, 111), "loyal-education"
    end
  end
  return 0, nil
end

rules[969] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 5 or 1)
  end
  if count >= 9 and weight % 4 == 0 then
    return clamp(round2(weight * 9 / 10), 0, 202), "bulk-books-9"
  end
  return 0, nil
end

rules[970] = function(order)
  if order.country == "SE" and order.total >= 273 and order.total < 1480 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 119), "SE-273-1480"
  end
  return 0, nil
end

rules[971] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 5 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 16 / 100), 0, 131), "wholesale-office"
  end
  return 0, nil
end

rules[972] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 14 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "retail" then
    return clamp(round2(n * 15 / 100), 0, 119), "retail-food"
  end
  return 0, nil
end

rules[973] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 30 / 100), 0, 161), "wholesale-books"
  end
  return 0, nil
end

rules[974] = function(order)
  if order.segment == "partner" and (order.country == "SE" or order.loyalty > 7) then
    local base = order.total - 385
    if base > 0 then
      return clamp(round2(base * 24 / 1000 + 8), 0, 64), "loyal-partner"
    end
  end
  return 0, nil
end

rules[975] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 8 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 5 / 100), 0, 121), "public-office"
  end
  return 0, nil
end

rules[976] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "office" and line.qty >= 2 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 23 / 100), 0, 199), "partner-office"
  end
  return 0, nil
end

rules[977] = function(order)
  if order.country == "IT" and order.total >= 342 and order.total < 1595 then
    local d = round2(order.total * 2 / 100)
    return clamp(d, 0, 247), "IT-342-1595"
  end
  return 0, nil
end

rules[978] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "garden" and line.qty >= 1 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 6 / 100), 0, 151), "public-garden"
  end
  return 0, nil
end

rules[979] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "wholesale" then
    return clamp(round2(n * 26 / 100), 0, 210), "wholesale-food"
  end
  return 0, nil
end

rules[980] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "food" and line.qty >= 13 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 25 / 100), 0, 83), "partner-food"
  end
  return 0, nil
end

rules[981] = function(order)
  if order.segment == "education" and (order.country == "PL" or order.loyalty > 6) then
    local base = order.total - 60
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 9), 0, 41), "loyal-education"
    end
  end
  return 0, nil
end

rules[982] = function(order)
  if order.segment == "retail" and (order.country == "SE" or order.loyalty > 2) then
    local base = order.total - 226
    if base > 0 then
      return clamp(round2(base * 18 / 1000 + 3), 0, 65), "loyal-retail"
    end
  end
  return 0, nil
end

rules[983] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "garden" and 7 or 1)
  end
  if count >= 17 and weight % 5 == 0 then
    return clamp(round2(weight * 13 / 10), 0, 151), "bulk-garden-17"
  end
  return 0, nil
end

rules[984] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 9 or 1)
  end
  if count >= 4 and weight % 6 == 1 then
    return clamp(round2(weight * 30 / 10), 0, 19), "bulk-media-4"
  end
  return 0, nil
end

rules[985] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "tools" and line.qty >= 15 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "public" then
    return clamp(round2(n * 9 / 100), 0, 230), "public-tools"
  end
  return 0, nil
end

rules[986] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "books" and line.qty >= 19 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "partner" then
    return clamp(round2(n * 26 / 100), 0, 235), "partner-books"
  end
  return 0, nil
end

rules[987] = function(order)
  if order.country == "AU" and order.total >= 26 and order.total < 1162 then
    local d = round2(order.total * 1 / 100)
    return clamp(d, 0, 69), "AU-26-1162"
  end
  return 0, nil
end

rules[988] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "tools" and 2 or 1)
  end
  if count >= 8 and weight % 2 == 0 then
    return clamp(round2(weight * 17 / 10), 0, 91), "bulk-tools-8"
  end
  return 0, nil
end

rules[989] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "books" and 3 or 1)
  end
  if count >= 19 and weight % 6 == 1 then
    return clamp(round2(weight * 19 / 10), 0, 60), "bulk-books-19"
  end
  return 0, nil
end

rules[990] = function(order)
  local n = 0
  for _, line in ipairs(order.lines) do
    if line.category == "toys" and line.qty >= 17 then n = n + line.qty * line.price end
  end
  if n > 0 and order.segment == "education" then
    return clamp(round2(n * 3 / 100), 0, 12), "education-toys"
  end
  return 0, nil
end

rules[991] = function(order)
  if order.country == "US" and order.total >= 239 and order.total < 1960 then
    local d = round2(order.total * 21 / 100)
    return clamp(d, 0, 174), "US-239-1960"
  end
  return 0, nil
end

rules[992] = function(order)
  if order.country == "GB" and order.total >= 217 and order.total < 331 then
    local d = round2(order.total * 25 / 100)
    return clamp(d, 0, 204), "GB-217-331"
  end
  return 0, nil
end

rules[993] = function(order)
  if order.segment == "public" and (order.country == "US" or order.loyalty > 9) then
    local base = order.total - 70
    if base > 0 then
      return clamp(round2(base * 26 / 1000 + 3), 0, 53), "loyal-public"
    end
  end
  return 0, nil
end

rules[994] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 2 or 1)
  end
  if count >= 17 and weight % 3 == 0 then
    return clamp(round2(weight * 26 / 10), 0, 51), "bulk-food-17"
  end
  return 0, nil
end

rules[995] = function(order)
  if order.country == "DE" and order.total >= 266 and order.total < 678 then
    local d = round2(order.total * 7 / 100)
    return clamp(d, 0, 230), "DE-266-678"
  end
  return 0, nil
end

rules[996] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "media" and 8 or 1)
  end
  if count >= 15 and weight % 3 == 0 then
    return clamp(round2(weight * 30 / 10), 0, 86), "bulk-media-15"
  end
  return 0, nil
end

rules[997] = function(order)
  if order.segment == "retail" and (order.country == "US" or order.loyalty > 9) then
    local base = order.total - 31
    if base > 0 then
      return clamp(round2(base * 22 / 1000 + 9), 0, 226), "loyal-retail"
    end
  end
  return 0, nil
end

rules[998] = function(order)
  if order.country == "ES" and order.total >= 304 and order.total < 1868 then
    local d = round2(order.total * 11 / 100)
    return clamp(d, 0, 135), "ES-304-1868"
  end
  return 0, nil
end

rules[999] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "food" and 4 or 1)
  end
  if count >= 5 and weight % 3 == 1 then
    return clamp(round2(weight * 1 / 10), 0, 123), "bulk-food-5"
  end
  return 0, nil
end

rules[1000] = function(order)
  local count, weight = 0, 0
  for _, line in ipairs(order.lines) do
    count = count + line.qty
    weight = weight + line.qty * (line.category == "toys" and 5 or 1)
  end
  if count >= 14 and weight % 3 == 0 then
    return clamp(round2(weight * 1 / 10), 0, 165), "bulk-toys-14"
  end
  return 0, nil
end


local countries = { "DE", "FR", "NL", "US", "GB", "SE", "PL", "IT", "ES", "JP", "CA", "AU" }
local segments = { "retail", "wholesale", "partner", "education", "public" }
local categories = { "books", "tools", "garden", "toys", "food", "media", "office", "sport" }

local orders = {}
for i = 1, 40 do
  local lines, total = {}, 0
  for j = 1, i % 6 + 1 do
    local line = { category = categories[(i * j) % #categories + 1], qty = (i + j) % 12 + 1, price = 4.5 + (i * j) % 50 }
    lines[j] = line
    total = total + line.qty * line.price
  end
  orders[i] = {
    country = countries[i % #countries + 1],
    segment = segments[i % #segments + 1],
    loyalty = i % 10,
    lines = lines,
    total = total,
  }
end

local best_total, applied = 0, 0
for _, order in ipairs(orders) do
  local best = 0
  for _, rule in ipairs(rules) do
    local discount, tag = rule(order)
    if tag then
      applied = applied + 1
      if discount > best then best = discount end
    end
  end
  best_total = best_total + best
end
return string.format('%d rules x %d orders, %d matches, best discounts %.2f', #rules, #orders, applied, best_total)
